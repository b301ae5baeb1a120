import { chartRules } from './rules/charts';
import { cloudfrontRules } from './rules/cloudfront';
import { computeRules } from './rules/compute';
import { ecrRules } from './rules/ecr';
import { eksRules } from './rules/eks';
import { iamRules } from './rules/iam';
import { kmsRules } from './rules/kms';
import { kubernetesRules } from './rules/kubernetes';
import { loadBalancerRules } from './rules/load-balancers';
import { logRules } from './rules/logs';
import { messagingRules } from './rules/messaging';
import { networkRules } from './rules/network';
import { operationsRules } from './rules/operations';
import { rdsRules } from './rules/rds';
import { s3Rules } from './rules/s3';
import { secretsRules } from './rules/secrets';
import { securityGroupRules } from './rules/security-groups';
import { taggingRules } from './rules/tagging';
import type { Rule } from './types';

/** The rule families in the order the rules table lists them. */
export const RULE_FAMILIES: readonly { readonly name: string; readonly rules: readonly Rule[] }[] = [
  { name: 'Network', rules: networkRules },
  { name: 'Security groups', rules: securityGroupRules },
  { name: 'KMS', rules: kmsRules },
  { name: 'CloudWatch Logs', rules: logRules },
  { name: 'S3', rules: s3Rules },
  { name: 'RDS and Aurora', rules: rdsRules },
  { name: 'EKS', rules: eksRules },
  { name: 'Launch templates and instances', rules: computeRules },
  { name: 'IAM', rules: iamRules },
  { name: 'ECR', rules: ecrRules },
  { name: 'Secrets Manager', rules: secretsRules },
  { name: 'SNS and SQS', rules: messagingRules },
  { name: 'Load balancers', rules: loadBalancerRules },
  { name: 'CloudFront', rules: cloudfrontRules },
  { name: 'Backup and monitoring', rules: operationsRules },
  { name: 'Kubernetes', rules: kubernetesRules },
  { name: 'Helm charts and custom resources', rules: chartRules },
  { name: 'Tagging', rules: taggingRules },
];

/** Every rule of the pack. */
export const RULES: readonly Rule[] = RULE_FAMILIES.flatMap((family) => family.rules);

const BY_ID = new Map(RULES.map((rule) => [rule.id, rule]));

/** The rule with this id, or undefined. */
export function findRule(id: string): Rule | undefined {
  return BY_ID.get(id);
}
