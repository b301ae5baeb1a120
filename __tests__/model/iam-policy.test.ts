import { readPolicy } from '../../model/iam-policy';
import { StackModel } from '../../model/stack-model';

function model(data: object = {}): StackModel {
  return new StackModel('s', { data });
}

describe('readPolicy', () => {
  it('normalises string-or-list fields of a JSON policy string', () => {
    // GIVEN a policy with a single statement object, string Action and Resource, a "*" principal
    const policy = JSON.stringify({
      Statement: {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: '${aws_s3_bucket.b.arn}/*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    });

    // WHEN read
    const read = readPolicy(policy, model());

    // THEN every field is a list and tokens stay as strings
    expect(read).toEqual({
      kind: 'document',
      statements: [
        {
          effect: 'Deny',
          actions: ['s3:*'],
          notActions: [],
          resources: ['${aws_s3_bucket.b.arn}/*'],
          principals: ['*'],
          notPrincipal: false,
          conditions: [{ operator: 'Bool', key: 'aws:SecureTransport', values: ['false'] }],
        },
      ],
    });
  });

  it('reads typed principals, NotPrincipal and a missing Effect as Allow', () => {
    const policy = JSON.stringify({
      Statement: [
        {
          Principal: { AWS: ['arn:aws:iam::1:root', '*'], Service: 'eks.amazonaws.com' },
          Action: ['sts:AssumeRole'],
        },
        { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::1:role/admin' }, NotAction: 'iam:*' },
      ],
    });
    const read = readPolicy(policy, model());
    expect(read.kind).toBe('document');
    if (read.kind !== 'document') return;
    expect(read.statements[0].effect).toBe('Allow');
    expect(read.statements[0].principals).toEqual([
      'AWS:arn:aws:iam::1:root',
      '*',
      'Service:eks.amazonaws.com',
    ]);
    expect(read.statements[1]).toEqual(
      expect.objectContaining({
        notPrincipal: true,
        notActions: ['iam:*'],
        principals: ['AWS:arn:aws:iam::1:role/admin'],
      }),
    );
  });

  it('resolves a reference to an aws_iam_policy_document, including its source documents', () => {
    // GIVEN a document that extends a JSON source policy and another document
    const data = {
      aws_iam_policy_document: {
        base: { statement: { actions: ['logs:CreateLogStream'], resources: ['*'] } },
        main: {
          source_policy_documents: [
            '${data.aws_iam_policy_document.base.json}',
            JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'k' }] }),
          ],
          statement: [
            {
              effect: 'Allow',
              actions: ['sts:AssumeRoleWithWebIdentity'],
              principals: [{ type: 'Federated', identifiers: ['${aws_iam_openid_connect_provider.gh.arn}'] }],
              condition: [
                {
                  test: 'StringLike',
                  variable: 'token.actions.githubusercontent.com:sub',
                  values: ['repo:a/b:*'],
                },
              ],
            },
          ],
        },
      },
    };

    // WHEN the reference is read
    const read = readPolicy('${data.aws_iam_policy_document.main.json}', model(data));

    // THEN statements of the sources come first, then the document's own
    expect(read.kind).toBe('document');
    if (read.kind !== 'document') return;
    expect(read.statements.map((statement) => statement.actions)).toEqual([
      ['logs:CreateLogStream'],
      ['kms:Decrypt'],
      ['sts:AssumeRoleWithWebIdentity'],
    ]);
    expect(read.statements[2].principals).toEqual(['Federated:${aws_iam_openid_connect_provider.gh.arn}']);
    expect(read.statements[2].conditions).toEqual([
      { operator: 'StringLike', key: 'token.actions.githubusercontent.com:sub', values: ['repo:a/b:*'] },
    ]);
  });

  it('treats other expressions as unresolved, bad JSON as invalid and empty values as absent', () => {
    expect(readPolicy('${jsonencode({Statement = []})}', model())).toEqual({
      kind: 'unresolved',
      expression: '${jsonencode({Statement = []})}',
    });
    expect(readPolicy('${data.terraform_remote_state.x.outputs.policy}', model()).kind).toBe('unresolved');
    expect(readPolicy('{"Statement": [', model()).kind).toBe('invalid');
    expect(readPolicy(undefined, model())).toEqual({ kind: 'absent' });
    expect(readPolicy('', model())).toEqual({ kind: 'absent' });
  });
});
