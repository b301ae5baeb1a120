import providerPackage from '@cdktf/provider-aws/package.json';
import taggable from '../../guardrails/aws-taggable-resources.json';
import { taggableData, taggableTypes } from '../../scripts/generate-taggable';

const PROVIDER = 'registry.terraform.io/hashicorp/aws';

describe('taggableTypes', () => {
  it('keeps resource types with both tags and tags_all, sorted', () => {
    // GIVEN a schema excerpt shaped like `terraform providers schema -json`
    const schema = {
      format_version: '1.0',
      provider_schemas: {
        [PROVIDER]: {
          resource_schemas: {
            aws_vpc: { block: { attributes: { cidr_block: {}, tags: {}, tags_all: {} } } },
            aws_autoscaling_group: { block: { attributes: { name: {} }, block_types: { tag: {} } } },
            aws_inspector_resource_group: { block: { attributes: { tags: {} } } },
            aws_iam_role_policy: { block: { attributes: { policy: {} } } },
            aws_acm_certificate: { block: { attributes: { tags: {}, tags_all: {} } } },
          },
        },
      },
    };

    // THEN only the types default_tags reach are kept
    expect(taggableTypes(schema)).toEqual(['aws_acm_certificate', 'aws_vpc']);
  });

  it('fails on a schema without the provider', () => {
    expect(() => taggableTypes({ provider_schemas: {} })).toThrow(
      /no resource schemas for registry.terraform.io\/hashicorp\/aws/,
    );
  });
});

describe('guardrails/aws-taggable-resources.json', () => {
  it('was generated for the provider version @cdktf/provider-aws is built on', () => {
    expect(taggable.providerVersion).toBe(providerPackage.cdktf.provider.version);
    expect(taggable).toEqual(taggableData(taggable.providerVersion, taggable.resourceTypes));
  });

  it('is sorted, unique, and has the types we know about', () => {
    const types = taggable.resourceTypes;
    expect(types).toEqual([...new Set(types)].sort());
    expect(types).toEqual(
      expect.arrayContaining(['aws_vpc', 'aws_s3_bucket', 'aws_eks_cluster', 'aws_kms_key', 'aws_lb']),
    );
    expect(types).not.toEqual(expect.arrayContaining(['aws_autoscaling_group']));
    expect(types).not.toContain('aws_iam_role_policy');
    expect(types).not.toContain('aws_inspector_resource_group');
  });
});
