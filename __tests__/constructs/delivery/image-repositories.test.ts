import type { ImageRepositoriesProps } from '../../../constructs/delivery/image-repositories';
import { ImageRepositories } from '../../../constructs/delivery/image-repositories';
import { checkStacks } from '../../../guardrails/engine';
import { awsTestStack, listOfType, resourcesOfType, synthJson } from '../../support/synth';

type Row = Record<string, unknown>;
const BASE: ImageRepositoriesProps = {
  repositoryNames: ['wms-api', 'wms-web'],
  accountId: '123456789012',
  keyAlias: 'wms-ecr',
};

function build(overrides: Partial<ImageRepositoriesProps> = {}) {
  const stack = awsTestStack();
  const images = new ImageRepositories(stack, 'Images', { ...BASE, ...overrides });
  return { stack, images, json: synthJson(stack) };
}

const lifecycleRules = (json: ReturnType<typeof synthJson>) =>
  listOfType(json, 'aws_ecr_lifecycle_policy').map((p) => JSON.parse(p.policy as string).rules as Row[]);

describe('ImageRepositories', () => {
  describe('defaults', () => {
    const { stack, images, json } = build();
    const repositories = listOfType(json, 'aws_ecr_repository');

    it('creates one repository per name, with immutable tags and scan on push', () => {
      expect(repositories.map((r) => r.name)).toEqual(['wms-api', 'wms-web']);
      for (const repository of repositories) {
        expect(repository.image_tag_mutability).toBe('IMMUTABLE');
        expect(repository.image_scanning_configuration).toEqual({ scan_on_push: true });
      }
      expect(Object.keys(images.repositoryUrls)).toEqual(['wms-api', 'wms-web']);
      expect(images.repositoryArns).toHaveLength(2);
    });

    it('encrypts every repository with one customer-managed, rotating key', () => {
      const keys = resourcesOfType(json, 'aws_kms_key');
      const [keyId] = Object.keys(keys);
      expect(Object.keys(keys)).toHaveLength(1);
      expect(keys[keyId].enable_key_rotation).toBe(true);
      for (const repository of repositories) {
        expect(repository.encryption_configuration).toEqual([
          { encryption_type: 'KMS', kms_key: `\${aws_kms_key.${keyId}.arn}` },
        ]);
      }
      expect(listOfType(json, 'aws_kms_alias').map((a) => a.name)).toEqual(['alias/wms-ecr']);
    });

    it('GIVEN no untaggedExpiryDays or keepTaggedImages THEN expires untagged after 7 days, keeps 50 tagged', () => {
      const all = lifecycleRules(json);
      expect(all).toHaveLength(2);
      for (const rules of all) {
        expect(rules).toEqual([
          {
            rulePriority: 1,
            description: 'Expire untagged images after 7 days',
            selection: {
              tagStatus: 'untagged',
              countType: 'sinceImagePushed',
              countUnit: 'days',
              countNumber: 7,
            },
            action: { type: 'expire' },
          },
          {
            rulePriority: 2,
            description: 'Keep the latest 50 tagged images',
            selection: {
              tagStatus: 'tagged',
              tagPatternList: ['*'],
              countType: 'imageCountMoreThan',
              countNumber: 50,
            },
            action: { type: 'expire' },
          },
        ]);
      }
    });

    it('passes the guardrails (immutable, scanned, KMS)', () => {
      const [result] = checkStacks([{ stackName: 'test', json: stack.toTerraform() }]).stacks;
      expect(result.findings.filter((f) => f.ruleId !== 'WMS_TAG_001')).toEqual([]);
      expect(result.suppressed).toEqual([]);
    });
  });

  describe('options', () => {
    it('GIVEN keepTaggedImages and untaggedExpiryDays THEN the lifecycle uses them', () => {
      const [rules] = lifecycleRules(build({ keepTaggedImages: 10, untaggedExpiryDays: 1 }).json);
      expect((rules[0].selection as Row).countNumber).toBe(1);
      expect((rules[1].selection as Row).countNumber).toBe(10);
    });

    it('GIVEN a namespaced name THEN a PascalCase construct id', () => {
      const { json } = build({ repositoryNames: ['team/wms-api'] });
      expect(Object.keys(resourcesOfType(json, 'aws_ecr_repository'))[0]).toMatch(/^Images_TeamWmsApi_/);
    });
  });

  describe('validation', () => {
    it('GIVEN no names THEN refuses', () => {
      expect(() => build({ repositoryNames: [] })).toThrow(
        /Images: repositoryNames: \[\] is not allowed \(at least one repository name\)/,
      );
    });

    it.each(['WMS-API', 'wms_', '-wms', 'a'])('GIVEN name %s THEN refuses', (name) => {
      expect(() => build({ repositoryNames: [name] })).toThrow(
        /Images: repositoryNames\[0\]: .* is not allowed \(an ECR repository name such as wms-api\)/,
      );
    });

    it('GIVEN names that differ only in punctuation THEN refuses', () => {
      expect(() => build({ repositoryNames: ['wms-api', 'wms.api'] })).toThrow(
        /repositoryNames\[1\]: "wms.api" is not allowed \(names that differ in more than punctuation\)/,
      );
    });

    it.each([0, 10001, 2.5])('GIVEN keepTaggedImages %s THEN refuses', (keep) => {
      expect(() => build({ keepTaggedImages: keep })).toThrow(
        /keepTaggedImages: .* is not allowed \(a whole number from 1 to 10000\)/,
      );
    });

    it.each([0, 0.5])('GIVEN untaggedExpiryDays %s THEN refuses', (days) => {
      expect(() => build({ untaggedExpiryDays: days })).toThrow(
        /untaggedExpiryDays: .* is not allowed \(a whole number of days >= 1\)/,
      );
    });

    it('GIVEN a pullRoleArns entry that is not a role ARN THEN refuses', () => {
      expect(() => build({ pullRoleArns: ['arn:aws:iam::123:user/x'] })).toThrow(
        /pullRoleArns\[0\]: "arn:aws:iam::123:user\/x" is not allowed \(an IAM role ARN/,
      );
    });
  });
});

describe('ImageRepositories pulls and scanning', () => {
  it('defaults to no repository policy (pullRoleArns: none)', () => {
    expect(listOfType(build().json, 'aws_ecr_repository_policy')).toEqual([]);
  });

  it('GIVEN pullRoleArns THEN each repository lets exactly those roles pull, through their accounts', () => {
    const roles = ['arn:aws:iam::222222222222:role/b-node', 'arn:aws:iam::111111111111:role/a-node'];
    const policies = listOfType(build({ pullRoleArns: roles }).json, 'aws_ecr_repository_policy');
    expect(policies).toHaveLength(2);
    const [statement] = JSON.parse(policies[0].policy as string).Statement;
    expect(statement.Principal).toEqual({
      AWS: ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root'],
    });
    expect(statement.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': [...roles].sort() } });
    expect(statement.Action).not.toContain('ecr:PutImage');
  });

  it('defaults to continuous enhanced scanning of its repositories (enhancedScanning: true)', () => {
    const [config] = listOfType(build().json, 'aws_ecr_registry_scanning_configuration');
    expect(config.scan_type).toBe('ENHANCED');
    expect(config.rule).toEqual([
      {
        scan_frequency: 'CONTINUOUS_SCAN',
        repository_filter: [
          { filter: 'wms-api', filter_type: 'WILDCARD' },
          { filter: 'wms-web', filter_type: 'WILDCARD' },
        ],
      },
    ]);
  });

  it('GIVEN enhancedScanning false THEN leaves the registry scanning configuration alone', () => {
    expect(
      listOfType(build({ enhancedScanning: false }).json, 'aws_ecr_registry_scanning_configuration'),
    ).toEqual([]);
  });
});
