import type { Rule, Violation } from '../types';
import { blockAt, blocks, boolAttr, isPresent, stringListAttr } from '../../model/values';
import { fail, PASS, requireBool, requireOneOf, requirePresent } from './helpers';

/**
 * Kubernetes versions in EKS standard support. The guardrails keep their own table, independent of the code they
 * police (the schema's copy is shared/eks.ts; a test keeps the two equal, so a version is added or retired in both
 * on purpose). Stricter than Checkov's CKV_AWS_339, which also accepts versions in (paid) extended support.
 * Source: Amazon EKS User Guide, "Understand the Kubernetes version lifecycle on EKS" and the EKS release calendar
 * (read 2026-11-28).
 */
export const SUPPORTED_EKS_VERSIONS: readonly string[] = ['1.35', '1.36'];
const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

function publicEndpoint(cluster: Record<string, unknown>): boolean | undefined {
  const value = boolAttr(blockAt(cluster.vpc_config)?.endpoint_public_access);
  if (value.kind === 'unresolved') return undefined;
  return value.kind === 'missing' ? true : value.value;
}

/** EKS clusters, add-ons and managed node groups. */
export const eksRules: readonly Rule[] = [
  {
    id: 'CKV_AWS_58',
    title: 'EKS clusters have secrets encryption enabled',
    severity: 'high',
    resourceTypes: ['aws_eks_cluster'],
    requirement: 'An `encryption_config` block lists `secrets` in `resources` and sets `provider.key_arn`.',
    fix: 'add encryption_config { resources = ["secrets"], provider { key_arn = <customer-managed key ARN> } }',
    check(cluster) {
      const configs = blocks(cluster.body.encryption_config);
      const ok = configs.some((config) => {
        const resources = stringListAttr(config.resources);
        const secrets =
          resources.kind === 'unresolved' ||
          (resources.kind === 'known' && resources.value.includes('secrets'));
        return secrets && isPresent(blockAt(config.provider)?.key_arn);
      });
      if (ok) return PASS;
      return fail(
        configs.length === 0
          ? 'cluster does not encrypt Kubernetes secrets: encryption_config is missing'
          : 'cluster does not encrypt Kubernetes secrets: no encryption_config has resources = ["secrets"] and provider.key_arn',
      );
    },
  },
  {
    id: 'CKV_AWS_39',
    title: 'Production EKS clusters have the public endpoint disabled',
    severity: 'high',
    productionOnly: true,
    resourceTypes: ['aws_eks_cluster'],
    requirement: '`vpc_config.endpoint_public_access` is false in production (the provider default is true).',
    fix: 'set vpc_config.endpoint_public_access = false and endpoint_private_access = true; reach the API through the VPC',
    check(cluster) {
      return publicEndpoint(cluster.body) === true
        ? fail(
            `cluster API is public: vpc_config.endpoint_public_access is ${blockAt(cluster.body.vpc_config)?.endpoint_public_access ?? 'missing (the provider default is true)'}, must be false in production`,
          )
        : PASS;
    },
  },
  {
    id: 'CKV_AWS_38',
    title: 'The EKS public endpoint is not accessible from 0.0.0.0/0',
    severity: 'high',
    resourceTypes: ['aws_eks_cluster'],
    requirement:
      'When the public endpoint is enabled, `vpc_config.public_access_cidrs` is set and does not contain `0.0.0.0/0`.',
    fix: 'set vpc_config.public_access_cidrs to the office/VPN ranges, or disable the public endpoint',
    check(cluster) {
      if (publicEndpoint(cluster.body) !== true) return PASS;
      const cidrs = stringListAttr(blockAt(cluster.body.vpc_config)?.public_access_cidrs);
      if (cidrs.kind === 'unresolved') return PASS;
      if (cidrs.kind === 'missing' || cidrs.value.length === 0) {
        return fail(
          'cluster API is open to the internet: vpc_config.public_access_cidrs is missing (the provider default is 0.0.0.0/0)',
        );
      }
      return cidrs.value.includes('0.0.0.0/0')
        ? fail('cluster API is open to the internet: vpc_config.public_access_cidrs contains "0.0.0.0/0"')
        : PASS;
    },
  },
  {
    id: 'CKV_AWS_37',
    title: 'EKS control plane logging is enabled for all log types',
    severity: 'medium',
    resourceTypes: ['aws_eks_cluster'],
    requirement: `\`enabled_cluster_log_types\` contains ${CONTROL_PLANE_LOG_TYPES.map((type) => `\`${type}\``).join(', ')}.`,
    fix: `set enabled_cluster_log_types = [${CONTROL_PLANE_LOG_TYPES.map((type) => `"${type}"`).join(', ')}]`,
    check(cluster) {
      const types = stringListAttr(cluster.body.enabled_cluster_log_types);
      if (types.kind === 'unresolved') return PASS;
      const missing = CONTROL_PLANE_LOG_TYPES.filter(
        (type) => types.kind === 'missing' || !types.value.includes(type),
      );
      return missing.length === 0
        ? PASS
        : fail(
            `cluster control-plane logging is incomplete: enabled_cluster_log_types ${types.kind === 'missing' ? 'is missing' : `lacks ${missing.join(', ')}`}`,
          );
    },
  },
  {
    id: 'CKV_AWS_339',
    title: 'EKS clusters run a supported, pinned Kubernetes version',
    severity: 'medium',
    resourceTypes: ['aws_eks_cluster'],
    requirement: `\`version\` is set and is one of ${SUPPORTED_EKS_VERSIONS.join(', ')} (unset would float to the newest version on creation, unlike Checkov which passes it).`,
    fix: `pin version to a supported release (${SUPPORTED_EKS_VERSIONS.join(', ')})`,
    check(cluster) {
      return requireOneOf(
        cluster.body,
        'version',
        SUPPORTED_EKS_VERSIONS,
        'cluster Kubernetes version is not pinned to a supported release',
      );
    },
  },
  {
    id: 'WMS_EKS_001',
    title: 'EKS clusters grant access through access entries only',
    severity: 'medium',
    resourceTypes: ['aws_eks_cluster'],
    requirement:
      '`access_config.authentication_mode` is `API` (no aws-auth ConfigMap) and `bootstrap_cluster_creator_admin_permissions` is false, so every admin is a reviewed `aws_eks_access_entry`.',
    fix: 'set access_config { authentication_mode = "API", bootstrap_cluster_creator_admin_permissions = false } and declare aws_eks_access_entry resources',
    check(cluster) {
      const config = blockAt(cluster.body.access_config) ?? {};
      const violations: Violation[] = [
        ...requireOneOf(
          config,
          'authentication_mode',
          ['API'],
          'cluster does not use access entries only',
          'CONFIG_MAP',
        ),
        ...requireBool(
          config,
          'bootstrap_cluster_creator_admin_permissions',
          false,
          'cluster creator gets hidden admin access',
          true,
        ),
      ];
      return violations.map((violation) => ({
        message: violation.message.replace(': ', ': access_config.'),
      }));
    },
  },
  {
    id: 'WMS_EKS_002',
    title: 'EKS add-ons pin their version',
    severity: 'low',
    resourceTypes: ['aws_eks_addon'],
    requirement: '`addon_version` is set, so an add-on changes only in a reviewed plan.',
    fix: 'set addon_version (aws eks describe-addon-versions lists the versions for the cluster version)',
    check(addon) {
      return requirePresent(
        addon.body,
        'addon_version',
        `add-on ${String(addon.body.addon_name ?? '')} version is not pinned`,
      );
    },
  },
  {
    id: 'WMS_EKS_003',
    title: 'Worker nodes accept no SSH',
    severity: 'high',
    resourceTypes: ['aws_eks_node_group', 'aws_launch_template'],
    requirement:
      'Node groups have no `remote_access` block and launch templates no `key_name`; use SSM Session Manager to reach a node.',
    fix: 'remove remote_access / key_name and use SSM Session Manager (AmazonSSMManagedInstanceCore) for node access',
    check(resource) {
      if (resource.type === 'aws_launch_template') {
        return isPresent(resource.body.key_name)
          ? fail(`launch template allows SSH: key_name is ${JSON.stringify(resource.body.key_name)}`)
          : PASS;
      }
      return blocks(resource.body.remote_access).length > 0
        ? fail('node group allows SSH: remote_access is set')
        : PASS;
    },
  },
  {
    id: 'WMS_EKS_004',
    title: 'EKS managed node groups use a launch template',
    severity: 'medium',
    resourceTypes: ['aws_eks_node_group'],
    requirement:
      'A `launch_template` block is set, so IMDSv2, the hop limit and volume encryption are ours (and checked) rather than EKS defaults.',
    fix: 'create an aws_launch_template (IMDSv2, hop limit 1, encrypted volumes) and reference it with launch_template { id, version }',
    check(group) {
      return blocks(group.body.launch_template).length > 0
        ? PASS
        : fail('node group uses the EKS default launch template: launch_template is missing');
    },
  },
];
