import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { DatabaseBackupProps } from '../../../constructs/database/database-backup';
import { DatabaseBackup, restoreTestingPlanName } from '../../../constructs/database/database-backup';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const BASE: Omit<DatabaseBackupProps, 'copy'> = {
  namePrefix: 'wms-test',
  accountId: '123456789012',
  region: 'eu-west-1',
  clusterArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:wms-test-db',
  subnetGroupName: 'wms-test-db',
  retentionDays: 35,
  alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:wms-test-alarms',
};

function build(overrides: Partial<DatabaseBackupProps> = {}, withCopy = false) {
  const stack = awsTestStack();
  const copy = withCopy
    ? {
        provider: new AwsProvider(stack, 'BackupRegion', { alias: 'backup_region', region: 'eu-central-1' }),
        region: 'eu-central-1',
        retentionDays: 14,
      }
    : undefined;
  new DatabaseBackup(stack, 'Backup', { ...BASE, copy, ...overrides });
  return synthJson(stack);
}

type Row = Record<string, unknown>;

describe('DatabaseBackup: nothing fails silently', () => {
  const json = build({}, true);

  it('by default locks both vaults in compliance mode (changeable for 3 days) at their retention', () => {
    const locks = listOfType(json, 'aws_backup_vault_lock_configuration');
    expect(locks.map((l) => [l.min_retention_days, l.changeable_for_days]).sort()).toEqual([
      [14, 3],
      [35, 3],
    ]);
    expect(locks.find((l) => l.min_retention_days === 14)?.provider).toBe('aws.backup_region');
  });

  it.each([
    ['governance', 2, undefined],
    ['none', 0, undefined],
  ] as const)(
    'GIVEN vaultLock %s THEN %i locks without changeable_for_days',
    (vaultLock, count, changeable) => {
      const locks = listOfType(build({ vaultLock }, true), 'aws_backup_vault_lock_configuration');
      expect(locks).toHaveLength(count);
      for (const lock of locks) expect(lock.changeable_for_days).toBe(changeable);
    },
  );

  it('sends failed backup, copy and restore(-test) jobs to the topic through EventBridge', () => {
    const patterns = listOfType(json, 'aws_cloudwatch_event_rule').map((r) =>
      JSON.parse(r.event_pattern as string),
    );
    expect(patterns.map((p) => [p['detail-type'][0], p.detail]).sort()).toEqual([
      ['Backup Job State Change', { state: ['FAILED', 'ABORTED', 'EXPIRED'] }],
      ['Copy Job State Change', { state: ['FAILED'] }],
      ['Restore Job State Change', { status: ['FAILED', 'ABORTED'] }],
    ]);
    for (const target of listOfType(json, 'aws_cloudwatch_event_target'))
      expect(target.arn).toBe(BASE.alarmTopicArn);
  });

  it('alarms when no backup completed in 2 days or no restore test in 8, counting silence as failure', () => {
    const alarms = listOfType(json, 'aws_cloudwatch_metric_alarm');
    expect(alarms.map((a) => [a.metric_name, a.evaluation_periods, a.treat_missing_data]).sort()).toEqual([
      ['NumberOfBackupJobsCompleted', 2, 'breaching'],
      ['NumberOfRestoreJobsCompleted', 8, 'breaching'],
    ]);
    for (const alarm of alarms) expect(alarm.alarm_actions).toEqual([BASE.alarmTopicArn]);
  });

  it('GIVEN no restore testing THEN no restore-test alarm (the backup one stays)', () => {
    const alarms = listOfType(build({ restoreTesting: false }), 'aws_cloudwatch_metric_alarm');
    expect(alarms.map((a) => a.metric_name)).toEqual(['NumberOfBackupJobsCompleted']);
  });

  it('GIVEN an unknown vaultLock THEN refuses it', () => {
    expect(() => build({ vaultLock: 'strict' as never })).toThrow(/vaultLock: "strict" .*compliance/);
  });
});

describe('DatabaseBackup', () => {
  describe('defaults', () => {
    const json = build();

    it('keeps daily backups for the retention in a vault encrypted with its own rotating key', () => {
      expect(listOfType(json, 'aws_backup_vault')).toEqual([
        expect.objectContaining({
          name: 'wms-test-db-backup',
          kms_key_arn: expect.stringMatching(/aws_kms_key/),
        }),
      ]);
      expect(listOfType(json, 'aws_kms_key')).toEqual([
        expect.objectContaining({ enable_key_rotation: true }),
      ]);
      const [plan] = listOfType(json, 'aws_backup_plan');
      expect(plan.rule).toEqual([
        expect.objectContaining({
          rule_name: 'daily',
          schedule: 'cron(0 3 * * ? *)',
          lifecycle: { delete_after: 35 },
        }),
      ]);
      expect((plan.rule as Row[])[0].copy_action).toBeUndefined();
    });

    it('selects the cluster, with a role trusted by AWS Backup of this account only', () => {
      expect(listOfType(json, 'aws_backup_selection')).toEqual([
        expect.objectContaining({ resources: [BASE.clusterArn] }),
      ]);
      const [role] = listOfType(json, 'aws_iam_role');
      const trust = JSON.parse(role.assume_role_policy as string).Statement[0];
      expect(trust.Principal).toEqual({ Service: 'backup.amazonaws.com' });
      expect(trust.Condition.StringEquals).toEqual({ 'aws:SourceAccount': '123456789012' });
    });

    it('restores the latest backup weekly into the database subnets to prove it restores', () => {
      expect(listOfType(json, 'aws_backup_restore_testing_plan')).toEqual([
        expect.objectContaining({
          name: 'wms_test_db_restore_test',
          schedule_expression: 'cron(0 5 ? * SAT *)',
          recovery_point_selection: [expect.objectContaining({ algorithm: 'LATEST_WITHIN_WINDOW' })],
        }),
      ]);
      expect(listOfType(json, 'aws_backup_restore_testing_selection')).toEqual([
        expect.objectContaining({
          protected_resource_type: 'Aurora',
          protected_resource_arns: [BASE.clusterArn],
          restore_metadata_overrides: { dbsubnetgroupname: 'wms-test-db' },
          validation_window_hours: 1,
        }),
      ]);
    });
  });

  describe('restore-check options', () => {
    it('GIVEN security groups and a validation window THEN the restored cluster gets them and is kept that long', () => {
      const json = build({ restoreSecurityGroupIds: ['sg-check'], validationWindowHours: 4 });
      expect(listOfType(json, 'aws_backup_restore_testing_selection')[0]).toMatchObject({
        restore_metadata_overrides: {
          dbsubnetgroupname: 'wms-test-db',
          vpcsecuritygroupids: '${jsonencode(["sg-check"])}',
        },
        validation_window_hours: 4,
      });
    });

    it('GIVEN a validation window above a week THEN it names the prop', () => {
      expect(() => build({ validationWindowHours: 169 })).toThrow(
        /validationWindowHours: 169 is not allowed \(0 to 168\)/,
      );
    });

    it('names the restore-testing plan with underscores (restore-testing names allow no hyphens)', () => {
      expect(restoreTestingPlanName('wms-prod')).toBe('wms_prod_db_restore_test');
    });
  });

  describe('options', () => {
    it('GIVEN a copy region THEN a vault and key there receive a copy of every backup', () => {
      const json = build({}, true);
      const vaults = listOfType(json, 'aws_backup_vault');
      const copyVault = vaults.find((v) => v.name === 'wms-test-db-backup-copy');
      expect(copyVault?.provider).toBe('aws.backup_region');
      expect(listOfType(json, 'aws_kms_key').map((k) => k.provider)).toContain('aws.backup_region');
      const [plan] = listOfType(json, 'aws_backup_plan');
      expect((plan.rule as Row[])[0].copy_action).toEqual([
        {
          destination_vault_arn: expect.stringMatching(/aws_backup_vault\..*CopyVault.*\.arn/),
          lifecycle: { delete_after: 14 },
        },
      ]);
    });

    it('GIVEN restoreTesting false THEN no restore test', () => {
      const json = build({ restoreTesting: false });
      expect(listOfType(json, 'aws_backup_restore_testing_plan')).toEqual([]);
      expect(listOfType(json, 'aws_backup_restore_testing_selection')).toEqual([]);
    });

    it('GIVEN a schedule THEN it is used', () => {
      const json = build({ schedule: 'cron(30 1 * * ? *)' });
      expect((listOfType(json, 'aws_backup_plan')[0].rule as Row[])[0].schedule).toBe('cron(30 1 * * ? *)');
    });
  });

  describe('validation', () => {
    it('GIVEN a retention out of range THEN it names the prop', () => {
      expect(() => build({ retentionDays: 0 })).toThrow(
        /test\/Backup: retentionDays: 0 is not allowed \(1 to 3650\)/,
      );
    });

    it('GIVEN a copy to the same region THEN it is refused', () => {
      const stack = awsTestStack();
      const provider = new AwsProvider(stack, 'Same', { alias: 'same', region: 'eu-west-1' });
      expect(
        () =>
          new DatabaseBackup(stack, 'Backup', {
            ...BASE,
            copy: { provider, region: 'eu-west-1', retentionDays: 7 },
          }),
      ).toThrow(/copy.region: "eu-west-1" is not allowed \(a region other than eu-west-1\)/);
    });
  });
});
