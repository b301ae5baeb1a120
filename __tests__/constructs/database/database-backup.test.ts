import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { DatabaseBackupProps } from '../../../constructs/database/database-backup';
import { DatabaseBackup } from '../../../constructs/database/database-backup';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const BASE: Omit<DatabaseBackupProps, 'copy'> = {
  namePrefix: 'wms-test',
  accountId: '123456789012',
  region: 'eu-west-1',
  clusterArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:wms-test-db',
  subnetGroupName: 'wms-test-db',
  retentionDays: 35,
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
        }),
      ]);
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
