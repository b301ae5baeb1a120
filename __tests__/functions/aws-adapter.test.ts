/**
 * The adapter over the AWS SDK v3 that the Lambda runtime provides: each call sends the command AWS documents,
 * with the fields it documents, and reads the response fields where AWS puts them. The SDK modules are virtual
 * here (they are not a dependency: the runtime has them), so this checks our use of the API, not AWS itself.
 */
const sent: { command: string; input: Record<string, unknown> }[] = [];
const responses: Record<string, unknown> = {};

function fakeModule(client: string, commands: string[]) {
  const module: Record<string, unknown> = {
    [client]: class {
      async send(command: { name: string; input: Record<string, unknown> }) {
        sent.push({ command: command.name, input: command.input });
        const response = responses[command.name];
        if (response instanceof Error) throw response;
        return response ?? {};
      }
    },
  };
  for (const name of commands) {
    module[`${name}Command`] = class {
      readonly name = name;
      constructor(readonly input: Record<string, unknown>) {}
    };
  }
  return module;
}

jest.mock(
  '@aws-sdk/client-secrets-manager',
  () =>
    fakeModule('SecretsManagerClient', [
      'GetSecretValue',
      'PutSecretValue',
      'DescribeSecret',
      'UpdateSecretVersionStage',
      'GetRandomPassword',
    ]),
  { virtual: true },
);
jest.mock(
  '@aws-sdk/client-rds',
  () =>
    fakeModule('RDSClient', [
      'DescribeDBClusters',
      'ModifyDBCluster',
      'CreateDBInstance',
      'DescribeDBInstances',
      'DeleteDBInstance',
    ]),
  { virtual: true },
);
jest.mock(
  '@aws-sdk/client-backup',
  () => fakeModule('BackupClient', ['DescribeRestoreJob', 'PutRestoreValidationResult']),
  {
    virtual: true,
  },
);
jest.mock('@aws-sdk/client-cloudwatch', () => fakeModule('CloudWatchClient', ['PutMetricData']), {
  virtual: true,
});

import { awsApi, RESTORE_JOB_TAG } from '../../functions/database-automation/aws';

beforeEach(() => {
  sent.length = 0;
  for (const key of Object.keys(responses)) delete responses[key];
});

describe('AWS adapter of the database automation', () => {
  it('reads the restore-testing plan of a restore job from CreatedBy', async () => {
    responses.DescribeRestoreJob = {
      CreatedResourceArn: 'arn:aws:rds:eu-west-1:1:cluster:restored',
      CreatedBy: {
        RestoreTestingPlanArn: 'arn:aws:backup:eu-west-1:1:restore-testing-plan:wms_prod_db_restore_test',
      },
    };
    const aws = await awsApi();
    expect(await aws.describeRestoreJob('job-1')).toEqual({
      createdResourceArn: 'arn:aws:rds:eu-west-1:1:cluster:restored',
      restoreTestingPlanArn: 'arn:aws:backup:eu-west-1:1:restore-testing-plan:wms_prod_db_restore_test',
    });
    expect(sent).toEqual([{ command: 'DescribeRestoreJob', input: { RestoreJobId: 'job-1' } }]);
  });

  it('treats a missing secret version as no value, and rethrows any other error', async () => {
    const aws = await awsApi();
    responses.GetSecretValue = Object.assign(new Error('no such version'), {
      name: 'ResourceNotFoundException',
    });
    expect(await aws.getSecret('s', 'AWSPENDING', 'v1')).toBeUndefined();
    expect(sent[0].input).toEqual({ SecretId: 's', VersionStage: 'AWSPENDING', VersionId: 'v1' });
    responses.GetSecretValue = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    await expect(aws.getSecret('s')).rejects.toThrow('denied');
  });

  it('generates letters-and-digits passwords of 40 characters', async () => {
    responses.GetRandomPassword = { RandomPassword: 'x'.repeat(40) };
    expect(await (await awsApi()).randomPassword()).toHaveLength(40);
    expect(sent[0].input).toEqual({
      PasswordLength: 40,
      ExcludePunctuation: true,
      RequireEachIncludedType: true,
    });
  });

  it('reads cluster state, and the check instance with its restore-job tag', async () => {
    const aws = await awsApi();
    responses.DescribeDBClusters = {
      DBClusters: [
        { MasterUsername: 'wms_admin', MasterUserSecret: {}, Status: 'available', PendingModifiedValues: {} },
      ],
    };
    expect(await aws.describeCluster('c')).toEqual({
      masterUsername: 'wms_admin',
      managedMasterSecret: true,
      status: 'available',
      pending: false,
    });
    responses.DescribeDBInstances = {
      DBInstances: [
        {
          Endpoint: { Address: 'h', Port: 5432 },
          DBClusterIdentifier: 'c',
          TagList: [{ Key: RESTORE_JOB_TAG, Value: 'job-1' }],
        },
      ],
    };
    expect(await aws.describeInstance('i')).toEqual({
      endpoint: 'h',
      port: 5432,
      clusterId: 'c',
      restoreJobId: 'job-1',
    });
  });

  it('stops RDS managing the restored master password when it sets one, and applies it at once', async () => {
    await (await awsApi()).setClusterMasterPassword('c', 'p', true);
    expect(sent[0]).toEqual({
      command: 'ModifyDBCluster',
      input: {
        DBClusterIdentifier: 'c',
        MasterUserPassword: 'p',
        ManageMasterUserPassword: false,
        ApplyImmediately: true,
      },
    });
  });

  it('reports validation results and metrics with the fields AWS documents', async () => {
    const aws = await awsApi();
    await aws.putValidation('job-1', 'SUCCESSFUL', 'ok');
    await aws.putMetric('WMS/Backup', 'RestoreValidationSucceeded', 1);
    await aws.deleteInstance('i');
    expect(sent).toEqual([
      {
        command: 'PutRestoreValidationResult',
        input: { RestoreJobId: 'job-1', ValidationStatus: 'SUCCESSFUL', ValidationStatusMessage: 'ok' },
      },
      {
        command: 'PutMetricData',
        input: {
          Namespace: 'WMS/Backup',
          MetricData: [{ MetricName: 'RestoreValidationSucceeded', Value: 1, Unit: 'Count' }],
        },
      },
      { command: 'DeleteDBInstance', input: { DBInstanceIdentifier: 'i', SkipFinalSnapshot: true } },
    ]);
  });
});
