import type { ResourceNode, StackModel } from '../../model/stack-model';
import type { Rule, Violation } from '../types';
import { blocks, boolAttr, isExpression, isPresent, numberAttr, show, stringAttr } from '../../model/values';
import { fail, PASS, requireAtLeast, requireBool, requirePresent } from './helpers';

/** Minimum automated backup retention in days, by environment kind. */
export const BACKUP_RETENTION_DAYS = { production: 14, other: 1 } as const;
const MONITORING_INTERVALS = [1, 5, 10, 15, 30, 60];
const CLUSTER = 'aws_rds_cluster';
const INSTANCE = 'aws_db_instance';
const CLUSTER_INSTANCE = 'aws_rds_cluster_instance';

function subjectOf(resource: ResourceNode): string {
  return resource.type === CLUSTER ? 'database cluster' : 'database instance';
}

/** The `aws_rds_cluster` an `aws_rds_cluster_instance` belongs to, by reference or literal identifier. */
function parentCluster(stack: StackModel, instance: ResourceNode): ResourceNode | undefined {
  return stack
    .ofType(CLUSTER)
    .find((cluster) =>
      stack.pointsAt(
        instance.body.cluster_identifier,
        cluster,
        ['id', 'cluster_identifier'],
        'cluster_identifier',
      ),
    );
}

/** The setting a parameter group needs for TLS-only connections, by engine; undefined when none applies. */
function tlsParameter(engine: string): { name: string; values: string[] } | undefined {
  if (/postgres|sqlserver/.test(engine)) return { name: 'rds.force_ssl', values: ['1'] };
  if (/mysql|mariadb|^aurora$/.test(engine))
    return { name: 'require_secure_transport', values: ['1', 'ON', 'on', 'true'] };
  return undefined;
}

function checkTlsParameter(resource: ResourceNode, stack: StackModel): readonly Violation[] {
  const engine = stringAttr(resource.body.engine);
  if (engine.kind === 'unresolved') return PASS;
  const parameter = tlsParameter(
    engine.kind === 'known' ? engine.value : resource.type === CLUSTER ? 'aurora' : '',
  );
  if (!parameter) return PASS;
  const [attribute, groupType] =
    resource.type === CLUSTER
      ? ['db_cluster_parameter_group_name', 'aws_rds_cluster_parameter_group']
      : ['parameter_group_name', 'aws_db_parameter_group'];
  const groupName = resource.body[attribute];
  const expected = `${parameter.name} = ${parameter.values[0]}`;
  if (!isPresent(groupName)) {
    return fail(
      `${subjectOf(resource)} does not enforce TLS: ${attribute} is missing, so the default parameter group applies (needs ${expected})`,
    );
  }
  const group = stack
    .ofType(groupType)
    .find((candidate) => stack.pointsAt(groupName, candidate, ['id', 'name'], 'name'));
  if (!group) {
    return isExpression(groupName)
      ? PASS
      : fail(
          `${subjectOf(resource)} does not enforce TLS: ${attribute} ${show(groupName)} is not a ${groupType} of this stack, so ${expected} cannot be verified`,
        );
  }
  const setting = blocks(group.body.parameter).find((entry) => entry.name === parameter.name);
  if (setting && (isExpression(setting.value) || parameter.values.includes(String(setting.value))))
    return PASS;
  const found = setting ? `is ${show(setting.value)}` : 'is not set';
  return fail(
    `${subjectOf(resource)} does not enforce TLS: ${group.address} parameter ${parameter.name} ${found}, must be ${parameter.values[0]}`,
  );
}

function passwordViolations(resource: ResourceNode): Violation[] {
  const [plain, writeOnly] =
    resource.type === CLUSTER ? ['master_password', 'master_password_wo'] : ['password', 'password_wo'];
  const violations: Violation[] = [];
  if (isPresent(resource.body[plain])) {
    const where = isExpression(resource.body[plain])
      ? 'ends up in the Terraform state'
      : 'is a literal in the code';
    violations.push({
      message: `${subjectOf(resource)} has a master password in configuration: ${plain} is set and ${where}`,
    });
  }
  if (isPresent(resource.body[writeOnly]) && !isExpression(resource.body[writeOnly])) {
    violations.push({
      message: `${subjectOf(resource)} has a literal master password: ${writeOnly} is a literal in the code`,
    });
  }
  return violations;
}

/** RDS and Aurora: encryption, exposure, backups, deletion protection, authentication, logs and monitoring. */
export const rdsRules: readonly Rule[] = [
  {
    id: 'CKV_AWS_96',
    title: 'Aurora clusters are encrypted at rest',
    severity: 'high',
    resourceTypes: [CLUSTER],
    requirement: '`storage_encrypted` is true (the provider default is false for provisioned clusters).',
    fix: 'set storage_encrypted = true and kms_key_id to a customer-managed key (requires a new cluster)',
    check(cluster) {
      return requireBool(cluster.body, 'storage_encrypted', true, 'database cluster is not encrypted', false);
    },
  },
  {
    id: 'CKV_AWS_16',
    title: 'RDS instances are encrypted at rest',
    severity: 'high',
    resourceTypes: [INSTANCE],
    requirement: '`storage_encrypted` is true.',
    fix: 'set storage_encrypted = true and kms_key_id to a customer-managed key (requires a new instance)',
    check(instance) {
      return requireBool(
        instance.body,
        'storage_encrypted',
        true,
        'database instance is not encrypted',
        false,
      );
    },
  },
  {
    id: 'CKV_AWS_327',
    title: 'RDS clusters (and instances) are encrypted with a customer-managed KMS key',
    severity: 'high',
    resourceTypes: [CLUSTER, INSTANCE],
    requirement: '`kms_key_id` is set (Checkov checks clusters; we extend it to instances).',
    fix: 'set kms_key_id to a customer-managed KMS key ARN',
    check(resource) {
      return requirePresent(
        resource.body,
        'kms_key_id',
        `${subjectOf(resource)} does not use a customer-managed key`,
        'the AWS-managed aws/rds key is used',
      );
    },
  },
  {
    id: 'CKV_AWS_17',
    title: 'RDS instances are not publicly accessible',
    severity: 'critical',
    resourceTypes: [INSTANCE, CLUSTER_INSTANCE],
    requirement: '`publicly_accessible` is not true.',
    fix: 'remove publicly_accessible (or set it to false) and reach the database from inside the VPC',
    check(instance) {
      return requireBool(
        instance.body,
        'publicly_accessible',
        false,
        'database instance is publicly accessible',
        false,
      );
    },
  },
  {
    id: 'CKV_AWS_133',
    title: 'RDS clusters and instances keep automated backups long enough',
    severity: 'medium',
    resourceTypes: [CLUSTER, INSTANCE],
    requirement: `\`backup_retention_period\` is at least ${BACKUP_RETENTION_DAYS.production} days in production and at least ${BACKUP_RETENTION_DAYS.other} elsewhere (unset means the default of 1).`,
    fix: `set backup_retention_period to at least ${BACKUP_RETENTION_DAYS.production} in production`,
    check(resource, { production }) {
      if (resource.type === INSTANCE && isPresent(resource.body.replicate_source_db)) return PASS;
      const minimum = production ? BACKUP_RETENTION_DAYS.production : BACKUP_RETENTION_DAYS.other;
      return requireAtLeast(
        resource.body,
        'backup_retention_period',
        minimum,
        `${subjectOf(resource)} backups are kept too briefly${production ? ' for production' : ''}`,
        1,
      );
    },
  },
  {
    id: 'CKV_AWS_139',
    title: 'RDS clusters have deletion protection enabled',
    severity: 'high',
    productionOnly: true,
    resourceTypes: [CLUSTER],
    requirement: '`deletion_protection` is true in production (dev opts out so it can be torn down).',
    fix: 'set deletion_protection = true',
    check(cluster) {
      return requireBool(cluster.body, 'deletion_protection', true, 'database cluster can be deleted', false);
    },
  },
  {
    id: 'CKV_AWS_293',
    title: 'RDS instances have deletion protection enabled',
    severity: 'high',
    productionOnly: true,
    resourceTypes: [INSTANCE],
    requirement: '`deletion_protection` is true in production.',
    fix: 'set deletion_protection = true',
    check(instance) {
      return requireBool(
        instance.body,
        'deletion_protection',
        true,
        'database instance can be deleted',
        false,
      );
    },
  },
  {
    id: 'CKV_AWS_162',
    title: 'RDS clusters have IAM authentication enabled',
    severity: 'medium',
    resourceTypes: [CLUSTER],
    requirement: '`iam_database_authentication_enabled` is true.',
    fix: 'set iam_database_authentication_enabled = true and connect with IAM auth tokens',
    check(cluster) {
      return requireBool(
        cluster.body,
        'iam_database_authentication_enabled',
        true,
        'database cluster has no IAM authentication',
        false,
      );
    },
  },
  {
    id: 'CKV_AWS_161',
    title: 'RDS instances have IAM authentication enabled',
    severity: 'medium',
    resourceTypes: [INSTANCE],
    requirement: '`iam_database_authentication_enabled` is true.',
    fix: 'set iam_database_authentication_enabled = true and connect with IAM auth tokens',
    check(instance) {
      return requireBool(
        instance.body,
        'iam_database_authentication_enabled',
        true,
        'database instance has no IAM authentication',
        false,
      );
    },
  },
  {
    id: 'CKV_AWS_324',
    title: 'RDS clusters export their logs to CloudWatch',
    severity: 'medium',
    resourceTypes: [CLUSTER],
    requirement: '`enabled_cloudwatch_logs_exports` lists at least one log type (e.g. `postgresql`).',
    fix: 'set enabled_cloudwatch_logs_exports = ["postgresql"] (or the engine\'s log types)',
    check(cluster) {
      return requirePresent(
        cluster.body,
        'enabled_cloudwatch_logs_exports',
        'database cluster does not export logs',
      );
    },
  },
  {
    id: 'CKV_AWS_129',
    title: 'RDS instances export their logs to CloudWatch',
    severity: 'medium',
    resourceTypes: [INSTANCE],
    requirement: '`enabled_cloudwatch_logs_exports` lists at least one log type.',
    fix: "set enabled_cloudwatch_logs_exports to the engine's log types",
    check(instance) {
      return requirePresent(
        instance.body,
        'enabled_cloudwatch_logs_exports',
        'database instance does not export logs',
      );
    },
  },
  {
    id: 'CKV_AWS_118',
    title: 'RDS instances have enhanced monitoring enabled',
    severity: 'low',
    resourceTypes: [INSTANCE, CLUSTER_INSTANCE],
    requirement: `\`monitoring_interval\` is one of ${MONITORING_INTERVALS.join(', ')} seconds (0, the default, disables it).`,
    fix: 'set monitoring_interval = 60 and monitoring_role_arn to a role with AmazonRDSEnhancedMonitoringRole',
    check(instance) {
      const interval = numberAttr(instance.body.monitoring_interval);
      if (interval.kind === 'unresolved') return PASS;
      if (interval.kind === 'known' && MONITORING_INTERVALS.includes(interval.value)) return PASS;
      const found =
        interval.kind === 'missing'
          ? 'missing (the provider default is 0)'
          : show(instance.body.monitoring_interval);
      return fail(
        `database instance has no enhanced monitoring: monitoring_interval is ${found}, must be one of ${MONITORING_INTERVALS.join(', ')}`,
      );
    },
  },
  {
    id: 'CKV_AWS_353',
    title: 'RDS instances have Performance Insights enabled',
    severity: 'low',
    resourceTypes: [INSTANCE, CLUSTER_INSTANCE],
    requirement:
      '`performance_insights_enabled` is true on the instance, or (for Aurora) on its `aws_rds_cluster`, resolved through `cluster_identifier`.',
    fix: 'set performance_insights_enabled = true (and performance_insights_kms_key_id to a customer-managed key)',
    check(instance, { stack }) {
      const own = boolAttr(instance.body.performance_insights_enabled);
      if (own.kind === 'unresolved' || (own.kind === 'known' && own.value)) return PASS;
      const cluster = instance.type === CLUSTER_INSTANCE ? parentCluster(stack, instance) : undefined;
      const inherited = boolAttr(cluster?.body.performance_insights_enabled);
      if (inherited.kind === 'unresolved' || (inherited.kind === 'known' && inherited.value)) return PASS;
      const found = own.kind === 'missing' ? 'missing' : 'false';
      return fail(
        `database instance has no Performance Insights: performance_insights_enabled is ${found}${cluster ? ` here and on ${cluster.address}` : ''}, must be true`,
      );
    },
  },
  {
    id: 'WMS_RDS_001',
    title: 'RDS master passwords are managed by RDS in Secrets Manager',
    severity: 'critical',
    resourceTypes: [CLUSTER, INSTANCE],
    requirement:
      'No `master_password` (clusters) or `password` (instances) is set: use `manage_master_user_password = true`; a write-only `*_wo` password must not be a literal.',
    fix: 'remove the password and set manage_master_user_password = true (optionally master_user_secret_kms_key_id)',
    check(resource) {
      return passwordViolations(resource);
    },
  },
  {
    id: 'CKV2_AWS_69',
    title: 'RDS databases enforce encryption in transit',
    severity: 'high',
    resourceTypes: [INSTANCE, CLUSTER],
    requirement:
      'The database uses a parameter group of this stack that forces TLS: `rds.force_ssl = 1` for PostgreSQL and SQL Server, `require_secure_transport = 1` for MySQL and MariaDB (Checkov checks instances; we extend it to clusters and require an explicit group).',
    fix: 'create a (cluster) parameter group with rds.force_ssl = 1 (or require_secure_transport = 1) and reference it',
    check(resource, { stack }) {
      return checkTlsParameter(resource, stack);
    },
  },
  {
    id: 'WMS_RDS_002',
    title: 'Production Aurora clusters have at least one reader',
    severity: 'medium',
    productionOnly: true,
    resourceTypes: [CLUSTER],
    requirement:
      'An Aurora cluster in production has at least two `aws_rds_cluster_instance` resources (a writer and a reader to fail over to), resolved through `cluster_identifier`.',
    fix: 'add a second aws_rds_cluster_instance in another availability zone',
    check(cluster, { stack }) {
      const engine = stringAttr(cluster.body.engine);
      if (engine.kind === 'unresolved' || (engine.kind === 'known' && !engine.value.startsWith('aurora')))
        return PASS;
      const count = stack
        .ofType(CLUSTER_INSTANCE)
        .filter((instance) => parentCluster(stack, instance) === cluster).length;
      return count >= 2
        ? PASS
        : fail(
            `database cluster cannot fail over: it has ${count} aws_rds_cluster_instance(s), production needs at least 2`,
          );
    },
  },
  {
    id: 'CKV_AWS_157',
    title: 'Production RDS instances are Multi-AZ',
    severity: 'medium',
    productionOnly: true,
    resourceTypes: [INSTANCE],
    requirement: '`multi_az` is true in production (read replicas are skipped).',
    fix: 'set multi_az = true',
    check(instance) {
      if (isPresent(instance.body.replicate_source_db)) return PASS;
      return requireBool(instance.body, 'multi_az', true, 'database instance is single-AZ', false);
    },
  },
  {
    id: 'WMS_RDS_003',
    title: 'RDS proxies require TLS and IAM authentication',
    severity: 'high',
    resourceTypes: ['aws_db_proxy'],
    requirement: '`require_tls` is true and every `auth` block has `iam_auth = "REQUIRED"`.',
    fix: 'set require_tls = true and iam_auth = "REQUIRED" in every auth block',
    check(proxy) {
      const violations = requireBool(
        proxy.body,
        'require_tls',
        true,
        'database proxy accepts plaintext connections',
        false,
      );
      const auths = blocks(proxy.body.auth);
      if (auths.length === 0)
        violations.push({ message: 'database proxy does not require IAM authentication: auth is missing' });
      auths.forEach((auth, index) => {
        const mode = stringAttr(auth.iam_auth);
        if (mode.kind === 'unresolved' || (mode.kind === 'known' && mode.value === 'REQUIRED')) return;
        const found =
          mode.kind === 'missing' ? 'missing (the provider default is "DISABLED")' : `"${mode.value}"`;
        violations.push({
          message: `database proxy does not require IAM authentication: auth[${index}].iam_auth is ${found}, must be "REQUIRED"`,
        });
      });
      return violations;
    },
  },
];
