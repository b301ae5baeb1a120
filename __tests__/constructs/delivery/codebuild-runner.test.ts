import type { CodebuildRunnerProps } from '../../../constructs/delivery/codebuild-runner';
import {
  CodebuildRunner,
  RUNNER_VPC_ACTIONS,
  RUNNER_WEBHOOK_EVENT,
} from '../../../constructs/delivery/codebuild-runner';
import { fakeNetwork } from '../../support/network';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const CONNECTION =
  'arn:aws:codeconnections:eu-west-1:444444444444:connection/0b6f7a3e-5d1c-4e2a-9f8b-1a2b3c4d5e04';
const BASE: CodebuildRunnerProps = {
  projectName: 'wms-test-gha-runner',
  accountId: '444444444444',
  region: 'eu-west-1',
  network: fakeNetwork(2),
  repository: 'acme/wms-platform',
  connectionArn: CONNECTION,
};

function build(overrides: Partial<CodebuildRunnerProps> = {}) {
  const stack = awsTestStack();
  const runner = new CodebuildRunner(stack, 'Runner', { ...BASE, ...overrides });
  return { runner, json: synthJson(stack) };
}

type Statement = { Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown };

describe('CodebuildRunner', () => {
  const { json } = build();
  const [project] = listOfType(json, 'aws_codebuild_project');
  const [role] = listOfType(json, 'aws_iam_role');
  const [policy] = listOfType(json, 'aws_iam_role_policy');
  const statements = JSON.parse(policy.policy as string).Statement as Statement[];

  it('runs each build in the private subnets with its own security group', () => {
    expect(project.vpc_config).toEqual({
      vpc_id: 'vpc-0123',
      subnets: ['subnet-private-a', 'subnet-private-b'],
      security_group_ids: [expect.stringMatching(/^\$\{aws_security_group\.Runner_SecurityGroup_\w+\.id\}$/)],
    });
    const groups = listOfType(json, 'aws_security_group');
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ name: 'wms-test-gha-runner', vpc_id: 'vpc-0123' });
  });

  it('admits nothing in and lets only HTTPS out (anywhere) and DNS to the VPC', () => {
    expect(listOfType(json, 'aws_vpc_security_group_ingress_rule')).toEqual([]);
    const egress = listOfType(json, 'aws_vpc_security_group_egress_rule').map((rule) => [
      rule.ip_protocol,
      rule.from_port,
      rule.cidr_ipv4,
    ]);
    expect(egress).toEqual(
      expect.arrayContaining([
        ['tcp', 443, '0.0.0.0/0'],
        ['tcp', 53, '10.40.0.0/16'],
        ['udp', 53, '10.40.0.0/16'],
      ]),
    );
    expect(egress).toHaveLength(3);
  });

  it('starts one build per queued workflow job (webhook filtered to WORKFLOW_JOB_QUEUED)', () => {
    const [webhook] = listOfType(json, 'aws_codebuild_webhook');
    expect(RUNNER_WEBHOOK_EVENT).toBe('WORKFLOW_JOB_QUEUED');
    expect(webhook).toMatchObject({
      build_type: 'BUILD',
      filter_group: [{ filter: [{ type: 'EVENT', pattern: 'WORKFLOW_JOB_QUEUED' }] }],
    });
  });

  it('reaches GitHub through the connection (an ARN from config, no token in code)', () => {
    expect(project.source).toEqual({
      type: 'GITHUB',
      location: 'https://github.com/acme/wms-platform.git',
      auth: { type: 'CODECONNECTIONS', resource: CONNECTION },
      git_clone_depth: 1,
    });
    expect(JSON.stringify(json)).not.toMatch(/token"\s*:/i);
  });

  it('is trusted by CodeBuild for this project of this account only', () => {
    const [trust] = JSON.parse(role.assume_role_policy as string).Statement;
    expect(trust.Principal).toEqual({ Service: 'codebuild.amazonaws.com' });
    expect(trust.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '444444444444' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:codebuild:eu-west-1:444444444444:project/wms-test-gha-runner' },
    });
  });

  it('may write its logs, place its interfaces in the private subnets and use the connection: nothing else', () => {
    expect(statements.map((s) => s.Sid)).toEqual([
      'BuildLogs',
      'VpcInterfaces',
      'VpcInterfacePermission',
      'GithubConnection',
    ]);
    expect(statements[1].Action).toEqual([...RUNNER_VPC_ACTIONS]);
    expect(statements[2].Condition).toEqual({
      StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
      ArnEquals: {
        'ec2:Subnet': [
          'arn:aws:ec2:eu-west-1:444444444444:subnet/subnet-private-a',
          'arn:aws:ec2:eu-west-1:444444444444:subnet/subnet-private-b',
        ],
      },
    });
    expect(statements[3]).toMatchObject({
      Action: ['codeconnections:GetConnection', 'codeconnections:GetConnectionToken'],
      Resource: CONNECTION,
    });
    const actions = statements.flatMap((s) => s.Action);
    expect(actions.filter((a) => /^(eks|sts|iam|s3|secretsmanager):/.test(a))).toEqual([]);
  });

  it('uses the codestar-connections actions for a connection of that older service name', () => {
    const older =
      'arn:aws:codestar-connections:eu-west-1:444444444444:connection/0b6f7a3e-5d1c-4e2a-9f8b-1a2b3c4d5e04';
    const [p] = listOfType(build({ connectionArn: older }).json, 'aws_iam_role_policy');
    const last = (JSON.parse(p.policy as string).Statement as Statement[]).at(-1);
    expect(last?.Action).toEqual([
      'codestar-connections:GetConnection',
      'codestar-connections:GetConnectionToken',
    ]);
  });

  it('writes build logs to its own KMS-encrypted log group, no S3 logs', () => {
    const [group] = listOfType(json, 'aws_cloudwatch_log_group');
    expect(group).toMatchObject({ name: '/aws/codebuild/wms-test-gha-runner' });
    expect(group.kms_key_id).toBeDefined();
    expect(project.logs_config).toEqual({
      cloudwatch_logs: { status: 'ENABLED', group_name: '/aws/codebuild/wms-test-gha-runner' },
      s3_logs: { status: 'DISABLED' },
    });
  });

  describe('defaults', () => {
    it('computeType BUILD_GENERAL1_MEDIUM, image amazonlinux standard 5.0, unprivileged', () => {
      expect(project.environment).toEqual({
        type: 'LINUX_CONTAINER',
        compute_type: 'BUILD_GENERAL1_MEDIUM',
        image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
        image_pull_credentials_type: 'CODEBUILD',
        privileged_mode: false,
      });
    });
    it('buildTimeoutMinutes 150: above the apply job timeout of 120', () => {
      expect(project.build_timeout).toBe(150);
    });
    it('logRetentionDays 365', () => {
      expect(listOfType(json, 'aws_cloudwatch_log_group')[0].retention_in_days).toBe(365);
    });
  });

  it('takes the compute type, image, timeout and retention given', () => {
    const { json: custom } = build({
      computeType: 'BUILD_GENERAL1_SMALL',
      image: 'aws/codebuild/standard:7.0',
      buildTimeoutMinutes: 180,
      logRetentionDays: 30,
    });
    const [p] = listOfType(custom, 'aws_codebuild_project');
    expect(p.environment).toMatchObject({
      compute_type: 'BUILD_GENERAL1_SMALL',
      image: 'aws/codebuild/standard:7.0',
    });
    expect(p.build_timeout).toBe(180);
    expect(listOfType(custom, 'aws_cloudwatch_log_group')[0].retention_in_days).toBe(30);
  });

  it.each([
    [{ projectName: '-runner' }, /projectName: "-runner" is not allowed/],
    [{ repository: 'acme/*' }, /repository: "acme\/\*" is not allowed \(one repository/],
    [{ connectionArn: 'ghp_secret' }, /connectionArn: "ghp_secret" is not allowed \(arn:aws:codeconnections/],
    [{ buildTimeoutMinutes: 4 }, /buildTimeoutMinutes: 4 is not allowed \(an integer from 5 to 2160\)/],
    [{ logRetentionDays: 2 as never }, /logRetentionDays: 2 is not allowed \(one of 1, 3/],
  ])('GIVEN %j THEN refuses with field, value and what is allowed', (overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});
