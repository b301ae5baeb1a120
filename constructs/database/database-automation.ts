import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaInvocation } from '@cdktf/provider-aws/lib/lambda-invocation';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SecretsmanagerSecretRotation } from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import type { ITerraformDependable } from 'cdktf';
import { TerraformAsset, AssetType } from 'cdktf';
import { Construct } from 'constructs';
import type { INetwork } from '../network/network';
import { propError } from '../shared/errors';
import { bundleFunction } from '../shared/function-bundle';
import { serviceRole } from '../shared/iam';
import type { PolicyStatement } from '../shared/kms';
import { customerKey, logGroupKeyStatement } from '../shared/kms';
import { physicalName } from '../shared/naming';
import type { LogRetentionDays } from '../../shared/log-retention';
import type { IDatabase } from './postgres-database';
import { POSTGRES_PORT } from './postgres-database';

/** The function's source: bundled at synth into a deterministic zip (constructs/shared/function-bundle.ts). */
export const DATABASE_AUTOMATION_ENTRY = 'functions/database-automation/handler.ts';

/** CloudWatch namespace of the restore-check results (names in functions/database-automation/handler.ts). */
export const RESTORE_CHECK_NAMESPACE = 'WMS/Backup';

/** One key table the restore check counts, and the fewest rows the restored copy must have. */
export interface RestoreCheckTable {
  /** Table, optionally schema-qualified, e.g. `wms.orders`. */
  readonly table: string;
  /** Fewest rows; 0 only proves the table exists. */
  readonly minRows: number;
}

/** The row-count check of AWS Backup's restore tests. */
export interface RestoreCheck {
  /** Name of the AWS Backup restore-testing plan whose jobs are checked. */
  readonly restoreTestingPlanName: string;
  /**
   * Key tables to count.
   * @default - none: the check only proves the restored database accepts a login
   */
  readonly tables?: readonly RestoreCheckTable[];
  /**
   * Instance class of the temporary instance the check adds to the restored cluster (AWS Backup restores an
   * Aurora cluster without instances).
   * @default 'db.t4g.medium'
   */
  readonly instanceClass?: string;
}

/** Properties of a {@link DatabaseAutomation}. */
export interface DatabaseAutomationProps {
  /** Prefix of physical names, e.g. `wms-prod`. */
  readonly namePrefix: string;
  /** AWS account id. */
  readonly accountId: string;
  /** AWS region. */
  readonly region: string;
  /** The network: the function runs in its private subnets. */
  readonly network: INetwork;
  /** The database: the function logs in to its writer as the master user. */
  readonly database: IDatabase;
  /** Resources the first `ensure-users` run waits for (the writer instance). */
  readonly databaseReady: readonly ITerraformDependable[];
  /** Name of the application database. */
  readonly databaseName: string;
  /** Schema of the application's tables, owned by the migration user. */
  readonly schema: string;
  /** The API's runtime user (rows only); must have a proxy secret in `database.userSecretArns`. */
  readonly runtimeUser: string;
  /** The migration user (owns the schema: DDL); must have a proxy secret in `database.userSecretArns`. */
  readonly migrationUser: string;
  /**
   * Days between automatic rotations of both users' passwords (1-90).
   * @default 30
   */
  readonly rotationDays?: number;
  /**
   * Row-count validation of AWS Backup restore tests.
   * @default - no restore check
   */
  readonly restoreCheck?: RestoreCheck;
  /** SNS topic of the alarms (function errors, failed or missing restore checks) and of failed async events. */
  readonly alarmTopicArn: string;
  /**
   * Retention of the function's log group.
   * @default 365
   */
  readonly logRetentionDays?: LogRetentionDays;
}

const RUNBOOK = 'docs/runbooks/database-users.md';
const BACKUP_RUNBOOK = 'docs/runbooks/backups.md';

/**
 * The database automation: one Lambda function in the private subnets that logs in to PostgreSQL, used for
 * everything that must (see functions/database-automation/handler.ts):
 *
 * - **Users as code.** Terraform invokes it (`ensure-users`) on the first deploy and whenever its code or the users
 *   change: it creates the runtime and migration users with generated passwords stored in their Secrets Manager
 *   secrets (the RDS Proxy logs in with them) and grants them; no password is printed, returned or in state.
 * - **Rotation.** Secrets Manager calls it to rotate both users' passwords every `rotationDays`.
 * - **Restore checks.** AWS Backup's restore tests are validated by counting the key tables' rows in the restored
 *   copy; the result goes to AWS Backup and to CloudWatch, where it is alarmed.
 *
 * Why a Lambda function and not a Kubernetes Job: rotation is a Secrets Manager feature that calls a Lambda
 * function; restore tests are AWS Backup events; the users must exist before the first Job of the app stack can
 * log in. One function serves all three, needs no cluster, and its code is bundled at synth into a zip whose
 * bytes are identical on every machine.
 */
export class DatabaseAutomation extends Construct {
  /** The function (escape hatch). */
  readonly function: LambdaFunction;
  /** Security group of the function. */
  readonly securityGroupId: string;
  /**
   * Security group restore tests give the restored cluster (AWS Backup restore metadata `vpcsecuritygroupids`):
   * admits the function only. Undefined without a restore check.
   */
  readonly restoreSecurityGroupId?: string;

  private ensureUsers?: LambdaInvocation;

  constructor(scope: Construct, id: string, props: DatabaseAutomationProps) {
    super(scope, id);
    const rotationDays = props.rotationDays ?? 30;
    this.validate(props, rotationDays);
    const name = physicalName(props.namePrefix, 'db-automation');
    const secretArns = [props.runtimeUser, props.migrationUser].map(
      (user) => props.database.userSecretArns[user],
    );

    const { securityGroup, restoreSecurityGroup } = this.createSecurityGroups(props, name);
    this.securityGroupId = securityGroup.id;
    this.restoreSecurityGroupId = restoreSecurityGroup?.id;
    this.function = this.createFunction(props, name, securityGroup, secretArns);
    this.runEnsureUsers(props, secretArns);
    this.enableRotation(props, secretArns, rotationDays);
    if (props.restoreCheck) this.createRestoreCheckTriggers(props, name);
    this.createAlarms(props, name);
  }

  private validate(props: DatabaseAutomationProps, rotationDays: number): void {
    if (!Number.isInteger(rotationDays) || rotationDays < 1 || rotationDays > 90) {
      throw propError(
        this,
        'rotationDays',
        rotationDays,
        '1 to 90 (credentials are rotated at least every 90 days)',
      );
    }
    for (const [field, user] of [
      ['runtimeUser', props.runtimeUser],
      ['migrationUser', props.migrationUser],
    ] as const) {
      if (!props.database.userSecretArns[user]) {
        throw propError(
          this,
          field,
          user,
          `a proxy user of the database (${Object.keys(props.database.userSecretArns).join(', ')})`,
        );
      }
    }
    if (props.runtimeUser === props.migrationUser) {
      throw propError(this, 'migrationUser', props.migrationUser, 'a user other than the runtime user');
    }
    for (const [index, table] of (props.restoreCheck?.tables ?? []).entries()) {
      if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(table.table)) {
        throw propError(
          this,
          `restoreCheck.tables[${index}].table`,
          table.table,
          'table or schema.table, lowercase',
        );
      }
      if (!Number.isInteger(table.minRows) || table.minRows < 0) {
        throw propError(this, `restoreCheck.tables[${index}].minRows`, table.minRows, 'an integer >= 0');
      }
    }
  }

  /** The function's group (PostgreSQL to the writer and restored clusters, HTTPS to AWS APIs). */
  private createSecurityGroups(
    props: DatabaseAutomationProps,
    name: string,
  ): { securityGroup: SecurityGroup; restoreSecurityGroup?: SecurityGroup } {
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      name,
      description: `Database automation of ${props.namePrefix}: PostgreSQL and AWS APIs`,
      vpcId: props.network.vpcId,
      tags: { Name: name },
    });
    new VpcSecurityGroupEgressRule(this, 'ToAwsApis', {
      securityGroupId: securityGroup.id,
      description: 'HTTPS to Secrets Manager, RDS, AWS Backup, CloudWatch (interface endpoints or NAT)',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
    });
    const postgresTo = (ruleId: string, targetId: string, description: string) =>
      new VpcSecurityGroupEgressRule(this, ruleId, {
        securityGroupId: securityGroup.id,
        description,
        ipProtocol: 'tcp',
        fromPort: POSTGRES_PORT,
        toPort: POSTGRES_PORT,
        referencedSecurityGroupId: targetId,
      });
    postgresTo(
      'ToDatabase',
      props.database.clusterSecurityGroupId,
      'PostgreSQL to the Aurora writer (master user)',
    );
    props.database.allowDirectConnectionsFrom(securityGroup.id, 'PostgreSQL from the database automation');
    if (!props.restoreCheck) return { securityGroup };
    const restoreName = physicalName(props.namePrefix, 'db-restore-test');
    const restoreSecurityGroup = new SecurityGroup(this, 'RestoreSecurityGroup', {
      name: restoreName,
      description: `Clusters restored by ${props.namePrefix}'s restore tests: PostgreSQL from the automation only`,
      vpcId: props.network.vpcId,
      tags: { Name: restoreName },
    });
    new VpcSecurityGroupIngressRule(this, 'RestoredFromAutomation', {
      securityGroupId: restoreSecurityGroup.id,
      description: 'PostgreSQL from the database automation (restore check)',
      ipProtocol: 'tcp',
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      referencedSecurityGroupId: securityGroup.id,
    });
    postgresTo('ToRestored', restoreSecurityGroup.id, 'PostgreSQL to restore-tested clusters');
    return { securityGroup, restoreSecurityGroup };
  }

  private createFunction(
    props: DatabaseAutomationProps,
    name: string,
    securityGroup: SecurityGroup,
    secretArns: string[],
  ): LambdaFunction {
    const logGroupName = `/aws/lambda/${name}`;
    const key = customerKey(this, 'Key', {
      description: `Encrypts the environment and logs of ${name}`,
      alias: name,
      accountId: props.accountId,
      serviceStatements: [
        logGroupKeyStatement('FunctionLogGroupUses', props.region, props.accountId, logGroupName),
      ],
    });
    const logGroup = new CloudwatchLogGroup(this, 'LogGroup', {
      name: logGroupName,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: key.arn,
    });
    const role = serviceRole(this, 'Role', {
      name,
      description: `Database automation of ${props.namePrefix}: users, rotation, restore checks`,
      service: 'lambda.amazonaws.com',
      accountId: props.accountId,
      // Network interfaces in the VPC (the managed policy AWS documents for functions in a VPC).
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
      statements: this.permissions(props, secretArns, `${logGroup.arn}:*`, key.arn),
    });
    const bundle = bundleFunction(DATABASE_AUTOMATION_ENTRY);
    const asset = new TerraformAsset(this, 'Code', {
      path: bundle.zipPath,
      type: AssetType.FILE,
      assetHash: bundle.sha256Hex,
    });
    const users = props.database.userSecretArns;
    return new LambdaFunction(this, 'Function', {
      functionName: name,
      description: 'Creates and grants the database users, rotates their passwords, validates restore tests',
      role: role.arn,
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      filename: asset.path,
      sourceCodeHash: bundle.sha256Base64,
      architectures: ['arm64'],
      memorySize: 256,
      // Long enough for the restore check's wait for the restored cluster's new master password.
      timeout: 600,
      // One run at a time per kind is enough; bounds what a flood of events could do.
      reservedConcurrentExecutions: 2,
      kmsKeyArn: key.arn,
      tracingConfig: { mode: 'Active' },
      deadLetterConfig: { targetArn: props.alarmTopicArn },
      loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
      vpcConfig: { subnetIds: props.network.privateSubnetIds, securityGroupIds: [securityGroup.id] },
      environment: {
        variables: {
          DATABASE_HOST: props.database.writerEndpoint,
          DATABASE_PORT: String(props.database.port),
          DATABASE_NAME: props.databaseName,
          DATABASE_SCHEMA: props.schema,
          MASTER_SECRET_ARN: props.database.masterSecretArn,
          RUNTIME_USER: props.runtimeUser,
          RUNTIME_SECRET_ARN: users[props.runtimeUser],
          MIGRATION_USER: props.migrationUser,
          MIGRATION_SECRET_ARN: users[props.migrationUser],
          RESTORE_TESTING_PLAN_NAME: props.restoreCheck?.restoreTestingPlanName ?? '',
          RESTORE_CHECK_INSTANCE_ID: physicalName(props.namePrefix, 'db-restore-check'),
          RESTORE_CHECK_INSTANCE_CLASS: props.restoreCheck?.instanceClass ?? 'db.t4g.medium',
          RESTORE_CHECK_TABLES: JSON.stringify(props.restoreCheck?.tables ?? []),
          METRIC_NAMESPACE: RESTORE_CHECK_NAMESPACE,
          // The Node.js 20 runtime trusts the RDS CAs only through this bundle.
          // https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        },
      },
      dependsOn: [logGroup],
    });
  }

  /** What the function may do: each statement scoped to this environment's resources. */
  private permissions(
    props: DatabaseAutomationProps,
    secretArns: string[],
    logStreamsArn: string,
    keyArn: string,
  ): PolicyStatement[] {
    const arn = (service: string, resource: string) =>
      `arn:aws:${service}:${props.region}:${props.accountId}:${resource}`;
    const checkInstance = arn('rds', `db:${physicalName(props.namePrefix, 'db-restore-check')}`);
    const statements: PolicyStatement[] = [
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logStreamsArn },
      { Effect: 'Allow', Action: 'sns:Publish', Resource: props.alarmTopicArn },
      {
        Effect: 'Allow',
        Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        // X-Ray has no resource-level permissions.
        Resource: '*',
      },
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: props.database.masterSecretArn },
      {
        Effect: 'Allow',
        Action: [
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:DescribeSecret',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        Resource: secretArns,
      },
      // GetRandomPassword is not tied to a secret.
      { Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: props.database.kmsKeyArn,
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${props.region}.amazonaws.com` } },
      },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn },
    ];
    if (!props.restoreCheck) return statements;
    return [
      ...statements,
      {
        Effect: 'Allow',
        Action: ['backup:DescribeRestoreJob', 'backup:PutRestoreValidationResult'],
        Resource: '*',
      },
      { Effect: 'Allow', Action: ['rds:DescribeDBClusters', 'rds:DescribeDBInstances'], Resource: '*' },
      // Restored clusters get names AWS Backup chooses: any cluster but this environment's own one.
      { Effect: 'Allow', Action: 'rds:ModifyDBCluster', Resource: arn('rds', 'cluster:*') },
      { Effect: 'Deny', Action: 'rds:ModifyDBCluster', Resource: props.database.clusterArn },
      {
        Effect: 'Allow',
        Action: ['rds:CreateDBInstance', 'rds:DeleteDBInstance', 'rds:AddTagsToResource'],
        // CreateDBInstance is also authorized on the parameter, option and subnet groups it uses (the restored
        // cluster's, named by AWS Backup's restore).
        Resource: [
          checkInstance,
          arn('rds', 'cluster:*'),
          arn('rds', 'pg:*'),
          arn('rds', 'og:*'),
          arn('rds', 'subgrp:*'),
        ],
      },
      {
        Effect: 'Allow',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': RESTORE_CHECK_NAMESPACE } },
      },
    ];
  }

  /** `ensure-users` on the first apply and whenever the code or the users change (Terraform invokes it). */
  private runEnsureUsers(props: DatabaseAutomationProps, secretArns: string[]): void {
    this.ensureUsers = new LambdaInvocation(this, 'EnsureUsers', {
      functionName: this.function.functionName,
      input: JSON.stringify({ action: 'ensure-users' }),
      triggers: {
        code: this.function.sourceCodeHash,
        users: `${props.runtimeUser},${props.migrationUser}`,
        secrets: secretArns.join(','),
      },
      dependsOn: [...props.databaseReady],
    });
  }

  /** Rotation of both users' secrets by the function, after `ensure-users` has set their first values. */
  private enableRotation(props: DatabaseAutomationProps, secretArns: string[], rotationDays: number): void {
    new LambdaPermission(this, 'SecretsManagerInvokes', {
      statementId: 'SecretsManagerRotation',
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionName,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: props.accountId,
    });
    [props.runtimeUser, props.migrationUser].forEach((user, index) => {
      new SecretsmanagerSecretRotation(this, `Rotation${pascal(user)}`, {
        secretId: secretArns[index],
        rotationLambdaArn: this.function.arn,
        rotationRules: { automaticallyAfterDays: rotationDays },
        // ensure-users has just generated the first value.
        rotateImmediately: false,
        dependsOn: this.ensureUsers ? [this.ensureUsers] : undefined,
      });
    });
  }

  /** AWS Backup's completed restore jobs and RDS's "instance created" of the check instance invoke the function. */
  private createRestoreCheckTriggers(props: DatabaseAutomationProps, name: string): void {
    const rules: [string, Record<string, unknown>][] = [
      [
        'RestoreCompleted',
        {
          source: ['aws.backup'],
          'detail-type': ['Restore Job State Change'],
          detail: { status: ['COMPLETED'] },
        },
      ],
      [
        'CheckInstanceCreated',
        {
          source: ['aws.rds'],
          'detail-type': ['RDS DB Instance Event'],
          detail: {
            SourceIdentifier: [physicalName(props.namePrefix, 'db-restore-check')],
            // RDS-EVENT-0005: "DB instance created".
            EventID: ['RDS-EVENT-0005'],
          },
        },
      ],
    ];
    for (const [id, pattern] of rules) {
      const rule = new CloudwatchEventRule(this, id, {
        name: `${name}-${id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
        description: `Restore check of ${props.namePrefix}'s database. Runbook: ${BACKUP_RUNBOOK}`,
        eventPattern: JSON.stringify(pattern),
      });
      new CloudwatchEventTarget(this, `${id}Target`, { rule: rule.name, arn: this.function.arn });
      new LambdaPermission(this, `${id}Invokes`, {
        statementId: `EventBridge${id}`,
        action: 'lambda:InvokeFunction',
        functionName: this.function.functionName,
        principal: 'events.amazonaws.com',
        sourceArn: rule.arn,
      });
    }
  }

  /** Function errors; with a restore check, a failed check and no successful check in 8 days. */
  private createAlarms(props: DatabaseAutomationProps, name: string): void {
    const alarm = (
      id: string,
      description: string,
      metric: { namespace: string; metricName: string; dimensions?: Record<string, string> },
      options: { period: number; periods: number; threshold: number; below?: boolean; missing: string },
    ) =>
      new CloudwatchMetricAlarm(this, id, {
        alarmName: `${name}-${id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
        alarmDescription: description,
        ...metric,
        statistic: 'Sum',
        period: options.period,
        evaluationPeriods: options.periods,
        threshold: options.threshold,
        comparisonOperator: options.below ? 'LessThanThreshold' : 'GreaterThanThreshold',
        treatMissingData: options.missing,
        alarmActions: [props.alarmTopicArn],
        okActions: [props.alarmTopicArn],
      });
    alarm(
      'Errors',
      `The database automation failed (users, rotation or restore check). Runbook: ${RUNBOOK}`,
      { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: name } },
      // An idle function publishes nothing: missing data is normal.
      { period: 300, periods: 1, threshold: 0, missing: 'notBreaching' },
    );
    if (!props.restoreCheck) return;
    alarm(
      'RestoreCheckFailed',
      `A restore test's row-count check failed. Runbook: ${BACKUP_RUNBOOK}`,
      { namespace: RESTORE_CHECK_NAMESPACE, metricName: 'RestoreValidationFailed' },
      { period: 86400, periods: 1, threshold: 0, missing: 'notBreaching' },
    );
    alarm(
      'NoRecentRestoreCheck',
      `No restore test passed its row-count check in 8 days. Runbook: ${BACKUP_RUNBOOK}`,
      { namespace: RESTORE_CHECK_NAMESPACE, metricName: 'RestoreValidationSucceeded' },
      // No data means no check passed: that is the failure this alarm exists for.
      { period: 86400, periods: 8, threshold: 1, below: true, missing: 'breaching' },
    );
  }
}

function pascal(text: string): string {
  return text.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
