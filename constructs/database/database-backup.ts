import { BackupPlan } from '@cdktf/provider-aws/lib/backup-plan';
import { BackupRestoreTestingPlan } from '@cdktf/provider-aws/lib/backup-restore-testing-plan';
import { BackupRestoreTestingSelection } from '@cdktf/provider-aws/lib/backup-restore-testing-selection';
import { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection';
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { BackupVaultLockConfiguration } from '@cdktf/provider-aws/lib/backup-vault-lock-configuration';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { TerraformProvider } from 'cdktf';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { propError } from '../shared/errors';
import { serviceRole } from '../shared/iam';
import { customerKey } from '../shared/kms';
import { physicalName } from '../shared/naming';

/** A copy of every backup in a vault of another region. */
export interface BackupCopy {
  /** AWS provider of the other region (an aliased provider of the stack). */
  readonly provider: TerraformProvider;
  /** The other region, e.g. eu-central-1; must differ from the cluster's. */
  readonly region: string;
  /** Days the copies are kept. */
  readonly retentionDays: number;
}

/** Properties of a {@link DatabaseBackup}. */
export interface DatabaseBackupProps {
  /** Prefix of physical names, e.g. `wms-prod`. */
  readonly namePrefix: string;
  /** AWS account id. */
  readonly accountId: string;
  /** Region of the cluster. */
  readonly region: string;
  /** ARN of the Aurora cluster to back up. */
  readonly clusterArn: string;
  /** Database subnet group a restore test restores into. */
  readonly subnetGroupName: string;
  /** Days the daily backups are kept (1-3650). */
  readonly retentionDays: number;
  /**
   * Daily backup schedule (AWS Backup cron, UTC).
   * @default 'cron(0 3 * * ? *)'
   */
  readonly schedule?: string;
  /**
   * Copy every backup to another region's vault.
   * @default - no copy
   */
  readonly copy?: BackupCopy;
  /**
   * A weekly AWS Backup restore test of the latest backup, so backups are proven to restore.
   * @default true
   */
  readonly restoreTesting?: boolean;
  /**
   * Security groups the restore test gives the restored cluster (restore metadata `vpcsecuritygroupids`), e.g.
   * the one admitting the database automation's row-count check.
   * @default - the VPC's default security group (AWS Backup's default)
   */
  readonly restoreSecurityGroupIds?: readonly string[];
  /**
   * Hours AWS Backup keeps a restored cluster for validation before deleting it (0-168). A row-count check needs
   * time to add an instance to the restored cluster and log in.
   * @default 1
   */
  readonly validationWindowHours?: number;
  /** SNS topic that failed backup, copy and restore jobs, and missing successful backups or restore tests, notify. */
  readonly alarmTopicArn: string;
  /**
   * AWS Backup Vault Lock of both vaults: `compliance` (after a 3-day grace period nobody, root included, can
   * delete a recovery point early or remove the lock), `governance` (privileged users can), or `none`.
   * @default 'compliance'
   */
  readonly vaultLock?: 'compliance' | 'governance' | 'none';
}

/** Name of the restore-testing plan of an environment (letters, digits and underscores only). */
export function restoreTestingPlanName(namePrefix: string): string {
  return `${namePrefix.replace(/-/g, '_')}_db_restore_test`;
}

/** The runbook of the backup alarms and events. */
const RUNBOOK = 'docs/runbooks/backups.md';

/**
 * Daily AWS Backup snapshots of the Aurora cluster beyond its point-in-time window, in a vault encrypted with a
 * customer-managed key, optionally copied to a second region, and restored weekly by a restore-testing plan.
 */
export class DatabaseBackup extends Construct {
  /** ARN of the vault in the cluster's region. */
  readonly vaultArn: string;

  constructor(scope: Construct, id: string, props: DatabaseBackupProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1 || props.retentionDays > 3650) {
      throw propError(this, 'retentionDays', props.retentionDays, '1 to 3650');
    }
    if (props.copy && props.copy.region === props.region) {
      throw propError(this, 'copy.region', props.copy.region, `a region other than ${props.region}`);
    }
    const vaultLock = props.vaultLock ?? 'compliance';
    const validationWindowHours = props.validationWindowHours ?? 1;
    if (
      !Number.isInteger(validationWindowHours) ||
      validationWindowHours < 0 ||
      validationWindowHours > 168
    ) {
      throw propError(this, 'validationWindowHours', validationWindowHours, '0 to 168');
    }
    if (!['compliance', 'governance', 'none'].includes(vaultLock)) {
      throw propError(this, 'vaultLock', vaultLock, '"compliance", "governance" or "none"');
    }
    const name = physicalName(props.namePrefix, 'db-backup');

    const vaultKey = customerKey(this, 'VaultKey', {
      description: `Encrypts the ${name} backup vault`,
      alias: name,
      accountId: props.accountId,
    });
    const vault = new BackupVault(this, 'Vault', { name, kmsKeyArn: vaultKey.arn });
    this.vaultArn = vault.arn;
    const lock = (id: string, vaultName: string, minRetentionDays: number, provider?: TerraformProvider) => {
      if (vaultLock === 'none') return;
      new BackupVaultLockConfiguration(this, id, {
        provider,
        backupVaultName: vaultName,
        minRetentionDays,
        // Setting changeable_for_days is what makes the lock compliance mode (at least 3 days of grace).
        ...(vaultLock === 'compliance' ? { changeableForDays: 3 } : {}),
      });
    };
    lock('VaultLock', vault.name, props.retentionDays);

    let copyVaultArn: string | undefined;
    if (props.copy) {
      const copyKey = customerKey(this, 'CopyVaultKey', {
        provider: props.copy.provider,
        description: `Encrypts the ${name} copy vault`,
        alias: `${name}-copy`,
        accountId: props.accountId,
      });
      const copyVault = new BackupVault(this, 'CopyVault', {
        provider: props.copy.provider,
        name: `${name}-copy`,
        kmsKeyArn: copyKey.arn,
      });
      copyVaultArn = copyVault.arn;
      lock('CopyVaultLock', copyVault.name, props.copy.retentionDays, props.copy.provider);
    }

    const role = serviceRole(this, 'Role', {
      name,
      description: `AWS Backup: backs up, copies and restore-tests ${props.namePrefix}'s database`,
      service: 'backup.amazonaws.com',
      accountId: props.accountId,
      managedPolicyArns: [
        'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
        'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
      ],
    });

    const plan = new BackupPlan(this, 'Plan', {
      name,
      rule: [
        {
          ruleName: 'daily',
          targetVaultName: vault.name,
          schedule: props.schedule ?? 'cron(0 3 * * ? *)',
          startWindow: 60,
          completionWindow: 360,
          lifecycle: { deleteAfter: props.retentionDays },
          ...(copyVaultArn && props.copy
            ? {
                copyAction: [
                  { destinationVaultArn: copyVaultArn, lifecycle: { deleteAfter: props.copy.retentionDays } },
                ],
              }
            : {}),
        },
      ],
    });
    new BackupSelection(this, 'Selection', {
      name,
      planId: plan.id,
      iamRoleArn: role.arn,
      resources: [props.clusterArn],
    });

    if (props.restoreTesting ?? true) {
      const testName = restoreTestingPlanName(props.namePrefix);
      const testPlan = new BackupRestoreTestingPlan(this, 'RestoreTestingPlan', {
        name: testName,
        scheduleExpression: 'cron(0 5 ? * SAT *)',
        startWindowHours: 2,
        recoveryPointSelection: [
          {
            algorithm: 'LATEST_WITHIN_WINDOW',
            includeVaults: [vault.arn],
            recoveryPointTypes: ['SNAPSHOT'],
            selectionWindowDays: 7,
          },
        ],
      });
      new BackupRestoreTestingSelection(this, 'RestoreTestingSelection', {
        name: testName,
        restoreTestingPlanName: testPlan.name,
        protectedResourceType: 'Aurora',
        protectedResourceArns: [props.clusterArn],
        iamRoleArn: role.arn,
        restoreMetadataOverrides: {
          dbsubnetgroupname: props.subnetGroupName,
          ...(props.restoreSecurityGroupIds?.length
            ? { vpcsecuritygroupids: Fn.jsonencode(props.restoreSecurityGroupIds) }
            : {}),
        },
        validationWindowHours: props.validationWindowHours ?? 1,
      });
    }
    this.createAlarms(name, props);
  }

  /**
   * EventBridge rules for failed backup, copy and restore (restore-test) jobs, and alarms when no backup (2 days)
   * or, with restore testing, no successful restore (8 days: the weekly test plus a day) completed: silence is a
   * failure too. A restore job completes when the restored cluster is available; AWS Backup then deletes it.
   */
  private createAlarms(name: string, props: DatabaseBackupProps): void {
    const events: [string, string, Record<string, unknown>][] = [
      ['BackupJobFailed', 'Backup Job State Change', { state: ['FAILED', 'ABORTED', 'EXPIRED'] }],
      ['CopyJobFailed', 'Copy Job State Change', { state: ['FAILED'] }],
      // Restore jobs report `status`, not `state`; restore-testing jobs are restore jobs too.
      ['RestoreJobFailed', 'Restore Job State Change', { status: ['FAILED', 'ABORTED'] }],
    ];
    for (const [id, detailType, detail] of events) {
      const rule = new CloudwatchEventRule(this, id, {
        name: `${name}-${id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
        description: `AWS Backup: a ${detailType.split(' ')[0].toLowerCase()} job of the account failed. Runbook: ${RUNBOOK}`,
        eventPattern: JSON.stringify({ source: ['aws.backup'], 'detail-type': [detailType], detail }),
      });
      new CloudwatchEventTarget(this, `${id}Target`, { rule: rule.name, arn: props.alarmTopicArn });
    }
    const silence = (id: string, metricName: string, days: number, what: string) =>
      new CloudwatchMetricAlarm(this, id, {
        alarmName: `${name}-${id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
        alarmDescription: `No ${what} completed in ${days} days. Runbook: ${RUNBOOK}`,
        namespace: 'AWS/Backup',
        metricName,
        dimensions: { ResourceType: 'Aurora' },
        statistic: 'Sum',
        period: 86400,
        evaluationPeriods: days,
        threshold: 1,
        comparisonOperator: 'LessThanThreshold',
        // No data means no job completed: that is the failure this alarm exists for.
        treatMissingData: 'breaching',
        alarmActions: [props.alarmTopicArn],
        okActions: [props.alarmTopicArn],
      });
    silence('NoRecentBackup', 'NumberOfBackupJobsCompleted', 2, 'database backup');
    if (props.restoreTesting ?? true) {
      silence('NoRecentRestoreTest', 'NumberOfRestoreJobsCompleted', 8, 'restore test of the database');
    }
  }
}
