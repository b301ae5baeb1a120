/**
 * The AWS calls of the database automation, behind one small interface so the handler is tested with a fake.
 * The implementation uses the AWS SDK for JavaScript v3 that the Lambda Node.js runtime provides: the modules are
 * loaded at run time by name, so they are neither bundled nor needed to build or test this code.
 */
export interface AwsApi {
  /** The secret's current value (JSON), or undefined while it has none. */
  getSecret(secretId: string, stage?: string, versionId?: string): Promise<string | undefined>;
  putSecret(secretId: string, value: string, options?: { token?: string; stages?: string[] }): Promise<void>;
  /** Version ids by stage (`AWSCURRENT`, `AWSPENDING`) and whether rotation is enabled. */
  describeSecret(
    secretId: string,
  ): Promise<{ rotationEnabled: boolean; versions: Record<string, readonly string[]> }>;
  moveCurrentStage(secretId: string, toVersion: string, fromVersion: string | undefined): Promise<void>;
  randomPassword(): Promise<string>;
  describeRestoreJob(
    restoreJobId: string,
  ): Promise<{ createdResourceArn?: string; restoreTestingPlanArn?: string }>;
  putValidation(
    restoreJobId: string,
    status: 'SUCCESSFUL' | 'FAILED' | 'VALIDATING',
    message: string,
  ): Promise<void>;
  describeCluster(
    clusterId: string,
  ): Promise<{ masterUsername: string; managedMasterSecret: boolean; status: string; pending: boolean }>;
  setClusterMasterPassword(clusterId: string, password: string, stopManaging: boolean): Promise<void>;
  createInstance(
    instanceId: string,
    clusterId: string,
    instanceClass: string,
    restoreJobId: string,
  ): Promise<void>;
  describeInstance(
    instanceId: string,
  ): Promise<{ endpoint: string; port: number; clusterId: string; restoreJobId?: string }>;
  deleteInstance(instanceId: string): Promise<void>;
  putMetric(namespace: string, name: string, value: number): Promise<void>;
}

/** Tag carrying the restore job id from phase 1 (instance creation) to phase 2 (the check). */
export const RESTORE_JOB_TAG = 'wms:restore-job-id';

type Sdk = Record<string, new (input?: object) => unknown>;
interface Client {
  send(command: unknown): Promise<Record<string, unknown>>;
}

/**
 * Loads an SDK module by a name the bundler leaves alone (the runtime provides it). `require`, not `import()`:
 * the runtime's SDK is found through NODE_PATH, which only CommonJS resolution reads.
 */
function sdk(name: string): Sdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a run-time module of the Lambda runtime
  return require(name) as Sdk;
}

/** The real implementation, on the runtime's AWS SDK v3. */
export async function awsApi(): Promise<AwsApi> {
  const sm = sdk('@aws-sdk/client-secrets-manager');
  const rds = sdk('@aws-sdk/client-rds');
  const backup = sdk('@aws-sdk/client-backup');
  const cw = sdk('@aws-sdk/client-cloudwatch');
  const secrets = new sm.SecretsManagerClient({}) as Client;
  const db = new rds.RDSClient({}) as Client;
  const bk = new backup.BackupClient({}) as Client;
  const metrics = new cw.CloudWatchClient({}) as Client;
  const call = (client: Client, module: Sdk, command: string, input: object) =>
    client.send(new module[`${command}Command`](input));
  return {
    async getSecret(secretId, stage, versionId) {
      try {
        const out = await call(secrets, sm, 'GetSecretValue', {
          SecretId: secretId,
          ...(stage ? { VersionStage: stage } : {}),
          ...(versionId ? { VersionId: versionId } : {}),
        });
        return out.SecretString as string | undefined;
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    },
    async putSecret(secretId, value, options = {}) {
      await call(secrets, sm, 'PutSecretValue', {
        SecretId: secretId,
        SecretString: value,
        ...(options.token ? { ClientRequestToken: options.token } : {}),
        ...(options.stages ? { VersionStages: options.stages } : {}),
      });
    },
    async describeSecret(secretId) {
      const out = await call(secrets, sm, 'DescribeSecret', { SecretId: secretId });
      return {
        rotationEnabled: Boolean(out.RotationEnabled),
        versions: (out.VersionIdsToStages ?? {}) as Record<string, string[]>,
      };
    },
    async moveCurrentStage(secretId, toVersion, fromVersion) {
      await call(secrets, sm, 'UpdateSecretVersionStage', {
        SecretId: secretId,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: toVersion,
        ...(fromVersion ? { RemoveFromVersionId: fromVersion } : {}),
      });
    },
    async randomPassword() {
      const out = await call(secrets, sm, 'GetRandomPassword', {
        PasswordLength: 40,
        // Only letters and digits: no quoting questions in connection strings or tools.
        ExcludePunctuation: true,
        RequireEachIncludedType: true,
      });
      return out.RandomPassword as string;
    },
    async describeRestoreJob(restoreJobId) {
      const out = await call(bk, backup, 'DescribeRestoreJob', { RestoreJobId: restoreJobId });
      return {
        createdResourceArn: out.CreatedResourceArn as string | undefined,
        // A restore test's job names its plan under CreatedBy (DescribeRestoreJob's response syntax).
        restoreTestingPlanArn: (out.CreatedBy as { RestoreTestingPlanArn?: string } | undefined)
          ?.RestoreTestingPlanArn,
      };
    },
    async putValidation(restoreJobId, status, message) {
      await call(bk, backup, 'PutRestoreValidationResult', {
        RestoreJobId: restoreJobId,
        ValidationStatus: status,
        ValidationStatusMessage: message,
      });
    },
    async describeCluster(clusterId) {
      const out = await call(db, rds, 'DescribeDBClusters', { DBClusterIdentifier: clusterId });
      const cluster = (out.DBClusters as Record<string, unknown>[])[0];
      return {
        masterUsername: cluster.MasterUsername as string,
        managedMasterSecret: cluster.MasterUserSecret !== undefined,
        status: cluster.Status as string,
        pending: Object.keys((cluster.PendingModifiedValues ?? {}) as object).length > 0,
      };
    },
    async setClusterMasterPassword(clusterId, password, stopManaging) {
      await call(db, rds, 'ModifyDBCluster', {
        DBClusterIdentifier: clusterId,
        MasterUserPassword: password,
        ...(stopManaging ? { ManageMasterUserPassword: false } : {}),
        ApplyImmediately: true,
      });
    },
    async createInstance(instanceId, clusterId, instanceClass, restoreJobId) {
      await call(db, rds, 'CreateDBInstance', {
        DBInstanceIdentifier: instanceId,
        DBClusterIdentifier: clusterId,
        Engine: 'aurora-postgresql',
        DBInstanceClass: instanceClass,
        PubliclyAccessible: false,
        Tags: [{ Key: RESTORE_JOB_TAG, Value: restoreJobId }],
      });
    },
    async describeInstance(instanceId) {
      const out = await call(db, rds, 'DescribeDBInstances', { DBInstanceIdentifier: instanceId });
      const instance = (out.DBInstances as Record<string, unknown>[])[0];
      const endpoint = instance.Endpoint as { Address: string; Port: number };
      const tags = (instance.TagList ?? []) as { Key: string; Value: string }[];
      return {
        endpoint: endpoint.Address,
        port: endpoint.Port,
        clusterId: instance.DBClusterIdentifier as string,
        restoreJobId: tags.find((tag) => tag.Key === RESTORE_JOB_TAG)?.Value,
      };
    },
    async deleteInstance(instanceId) {
      await call(db, rds, 'DeleteDBInstance', { DBInstanceIdentifier: instanceId, SkipFinalSnapshot: true });
    },
    async putMetric(namespace, name, value) {
      await call(metrics, cw, 'PutMetricData', {
        Namespace: namespace,
        MetricData: [{ MetricName: name, Value: value, Unit: 'Count' }],
      });
    },
  };
}
