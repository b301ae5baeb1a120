import type { AwsApi } from './aws';
import { awsApi } from './aws';
import type { KeyTable, Login } from './database';
import { countRows, ensureUsers, judgeCounts, setPassword, withConnection } from './database';

/**
 * The database automation of one environment: a Lambda function in the private subnets that logs in to
 * PostgreSQL. One function, four kinds of event:
 *
 * - `{"action": "ensure-users"}` (the deploy pipeline, through Terraform's aws_lambda_invocation): creates or
 *   updates the runtime and migration users with passwords it generates into their secrets, and grants them.
 * - A Secrets Manager rotation step (`Step`, `SecretId`, `ClientRequestToken`): rotates one user's password.
 * - AWS Backup's `Restore Job State Change` (a restore test completed): gives the restored cluster, which AWS
 *   Backup restores without an instance, a check instance and a master password only this function knows.
 * - RDS's `RDS DB Instance Event` RDS-EVENT-0005 for that instance (created): counts the rows of the key tables,
 *   reports the result to AWS Backup (PutRestoreValidationResult) and CloudWatch, and deletes the instance.
 *
 * It never logs or returns a password.
 */
export interface Settings {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly schema: string;
  readonly masterSecretArn: string;
  readonly runtimeUser: string;
  readonly runtimeSecretArn: string;
  readonly migrationUser: string;
  readonly migrationSecretArn: string;
  readonly restoreTestingPlanName?: string;
  readonly restoreCheckInstanceId: string;
  readonly restoreCheckInstanceClass: string;
  readonly restoreCheckTables: readonly KeyTable[];
  readonly metricNamespace: string;
  /** TLS to PostgreSQL (always on AWS; the local test server has none). */
  readonly tls: boolean;
}

/** Metric names the function publishes; the alarms read them. */
export const METRICS = {
  succeeded: 'RestoreValidationSucceeded',
  failed: 'RestoreValidationFailed',
} as const;

/** Reads the settings from the function's environment variables (set by the DatabaseAutomation construct). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): Settings {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
  };
  return {
    host: required('DATABASE_HOST'),
    port: Number(required('DATABASE_PORT')),
    database: required('DATABASE_NAME'),
    schema: required('DATABASE_SCHEMA'),
    masterSecretArn: required('MASTER_SECRET_ARN'),
    runtimeUser: required('RUNTIME_USER'),
    runtimeSecretArn: required('RUNTIME_SECRET_ARN'),
    migrationUser: required('MIGRATION_USER'),
    migrationSecretArn: required('MIGRATION_SECRET_ARN'),
    restoreTestingPlanName: env.RESTORE_TESTING_PLAN_NAME || undefined,
    restoreCheckInstanceId: required('RESTORE_CHECK_INSTANCE_ID'),
    restoreCheckInstanceClass: required('RESTORE_CHECK_INSTANCE_CLASS'),
    restoreCheckTables: JSON.parse(env.RESTORE_CHECK_TABLES ?? '[]') as KeyTable[],
    metricNamespace: required('METRIC_NAMESPACE'),
    tls: env.DATABASE_TLS !== 'false',
  };
}

interface Credentials {
  readonly username: string;
  readonly password: string;
}

function parseCredentials(value: string | undefined, what: string): Credentials {
  const parsed = value ? (JSON.parse(value) as Partial<Credentials>) : {};
  if (!parsed.username || !parsed.password) throw new Error(`${what} has no username and password`);
  return { username: parsed.username, password: parsed.password };
}

async function masterLogin(aws: AwsApi, settings: Settings): Promise<Login> {
  const master = parseCredentials(await aws.getSecret(settings.masterSecretArn), 'the master secret');
  return {
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: master.username,
    password: master.password,
    tls: settings.tls,
  };
}

/** The user's secret value, generated and stored first when the secret has none yet. */
async function userPassword(aws: AwsApi, secretArn: string, user: string): Promise<string> {
  const current = await aws.getSecret(secretArn);
  if (current) {
    const parsed = JSON.parse(current) as Partial<Credentials>;
    if (parsed.username === user && parsed.password) return parsed.password;
  }
  const password = await aws.randomPassword();
  await aws.putSecret(secretArn, JSON.stringify({ username: user, password }));
  return password;
}

/** `ensure-users`: idempotent, run on every deploy whose function code or users changed. */
export async function ensureUsersAction(aws: AwsApi, settings: Settings): Promise<{ users: string[] }> {
  const runtime = await userPassword(aws, settings.runtimeSecretArn, settings.runtimeUser);
  const migration = await userPassword(aws, settings.migrationSecretArn, settings.migrationUser);
  await withConnection(await masterLogin(aws, settings), (client) =>
    ensureUsers(
      client,
      {
        schema: settings.schema,
        runtime: { name: settings.runtimeUser, password: runtime },
        migration: { name: settings.migrationUser, password: migration },
      },
      settings.database,
    ),
  );
  return { users: [settings.runtimeUser, settings.migrationUser] };
}

/** A Secrets Manager rotation request. */
export interface RotationEvent {
  readonly Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
  readonly SecretId: string;
  readonly ClientRequestToken: string;
}

/**
 * Single-user rotation: the master user sets the user's new password (the user keeps its name, so the RDS Proxy
 * needs no change; it reads the new value when a login with the old one fails).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
 */
export async function rotate(aws: AwsApi, settings: Settings, event: RotationEvent): Promise<void> {
  const users: Record<string, string> = {
    [settings.runtimeSecretArn]: settings.runtimeUser,
    [settings.migrationSecretArn]: settings.migrationUser,
  };
  const user = users[event.SecretId];
  if (!user) throw new Error(`secret ${event.SecretId} is not rotated by this function`);
  const { rotationEnabled, versions } = await aws.describeSecret(event.SecretId);
  if (!rotationEnabled) throw new Error(`rotation is not enabled on ${event.SecretId}`);
  const stages = versions[event.ClientRequestToken];
  if (!stages) throw new Error(`version ${event.ClientRequestToken} of ${event.SecretId} does not exist`);
  if (stages.includes('AWSCURRENT')) return;
  if (!stages.includes('AWSPENDING')) {
    throw new Error(`version ${event.ClientRequestToken} of ${event.SecretId} is not AWSPENDING`);
  }
  const pending = () =>
    aws
      .getSecret(event.SecretId, 'AWSPENDING', event.ClientRequestToken)
      .then((value) => parseCredentials(value, 'the pending version'));
  switch (event.Step) {
    case 'createSecret': {
      const existing = await aws.getSecret(event.SecretId, 'AWSPENDING', event.ClientRequestToken);
      if (existing) return;
      const password = await aws.randomPassword();
      await aws.putSecret(event.SecretId, JSON.stringify({ username: user, password }), {
        token: event.ClientRequestToken,
        stages: ['AWSPENDING'],
      });
      return;
    }
    case 'setSecret': {
      const { password } = await pending();
      await withConnection(await masterLogin(aws, settings), (client) => setPassword(client, user, password));
      return;
    }
    case 'testSecret': {
      const { password } = await pending();
      const login = { ...(await masterLogin(aws, settings)), user, password };
      await withConnection(login, (client) => client.query('SELECT 1'));
      return;
    }
    case 'finishSecret': {
      const current = Object.entries(versions).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
      await aws.moveCurrentStage(event.SecretId, event.ClientRequestToken, current);
      return;
    }
    default:
      throw new Error(`unknown rotation step ${String((event as { Step: unknown }).Step)}`);
  }
}

/** Phase 1 of a restore check: AWS Backup restored the cluster without an instance; add the check instance. */
export async function restoreCompleted(
  aws: AwsApi,
  settings: Settings,
  restoreJobId: string,
): Promise<string> {
  const job = await aws.describeRestoreJob(restoreJobId);
  const plan = settings.restoreTestingPlanName;
  if (!plan || !job.restoreTestingPlanArn?.endsWith(`:${plan}`) || !job.createdResourceArn) {
    return `restore job ${restoreJobId} is not a restore test of ${plan ?? '(none)'}: ignored`;
  }
  const clusterId = job.createdResourceArn.split(':').pop() as string;
  try {
    await aws.createInstance(
      settings.restoreCheckInstanceId,
      clusterId,
      settings.restoreCheckInstanceClass,
      restoreJobId,
    );
  } catch (error) {
    await reportValidation(
      aws,
      settings,
      restoreJobId,
      false,
      `could not add the check instance: ${(error as Error).message}`,
    );
    throw error;
  }
  await aws.putValidation(
    restoreJobId,
    'VALIDATING',
    `adding check instance ${settings.restoreCheckInstanceId}`,
  );
  return `restore job ${restoreJobId}: creating ${settings.restoreCheckInstanceId} in ${clusterId}`;
}

async function reportValidation(
  aws: AwsApi,
  settings: Settings,
  restoreJobId: string,
  ok: boolean,
  message: string,
): Promise<void> {
  await aws.putMetric(settings.metricNamespace, ok ? METRICS.succeeded : METRICS.failed, 1);
  await aws.putValidation(restoreJobId, ok ? 'SUCCESSFUL' : 'FAILED', message);
}

/** Waits between polls of the restored cluster; a parameter so tests do not wait. */
export type Sleep = (ms: number) => Promise<void>;
const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Gives the restored cluster a master password only this run knows (the snapshot keeps the password of its day,
 * which RDS has rotated since; nothing stores the new one), waits until the cluster applied it, and logs in.
 */
async function loginToRestored(
  aws: AwsApi,
  settings: Settings,
  instance: { endpoint: string; port: number; clusterId: string },
  wait: Sleep,
): Promise<Login> {
  const cluster = await aws.describeCluster(instance.clusterId);
  const password = await aws.randomPassword();
  await aws.setClusterMasterPassword(instance.clusterId, password, cluster.managedMasterSecret);
  const login: Login = {
    host: instance.endpoint,
    port: instance.port,
    database: settings.database,
    user: cluster.masterUsername,
    password,
    tls: settings.tls,
  };
  let lastError: Error = new Error('the restored cluster did not become available');
  for (let attempt = 0; attempt < 30; attempt++) {
    await wait(15_000);
    const state = await aws.describeCluster(instance.clusterId);
    if (state.status !== 'available' || state.pending) continue;
    try {
      await withConnection(login, (client) => client.query('SELECT 1'));
      return login;
    } catch (error) {
      lastError = error as Error;
    }
  }
  throw lastError;
}

/** Phase 2: the check instance is up; count the key tables, delete the instance, report. */
export async function checkInstanceCreated(
  aws: AwsApi,
  settings: Settings,
  wait: Sleep = sleep,
): Promise<string> {
  const instance = await aws.describeInstance(settings.restoreCheckInstanceId);
  if (!instance.restoreJobId) {
    throw new Error(
      `${settings.restoreCheckInstanceId} has no restore job tag: not created by this function`,
    );
  }
  let verdict: { ok: boolean; message: string };
  try {
    const login = await loginToRestored(aws, settings, instance, wait);
    const counts = await withConnection(login, (client) => countRows(client, settings.restoreCheckTables));
    verdict = judgeCounts(counts);
  } catch (error) {
    verdict = { ok: false, message: `could not log in to the restored cluster: ${(error as Error).message}` };
  }
  // Deleted before the result is reported: AWS Backup deletes the restored cluster once it has a result, and a
  // cluster with an instance cannot be deleted.
  await aws.deleteInstance(settings.restoreCheckInstanceId);
  await reportValidation(aws, settings, instance.restoreJobId, verdict.ok, verdict.message);
  return `restore job ${instance.restoreJobId}: ${verdict.ok ? 'SUCCESSFUL' : 'FAILED'}: ${verdict.message}`;
}

/** The events the function handles. */
export type AutomationEvent =
  | { readonly action: 'ensure-users' }
  | RotationEvent
  | {
      readonly source: 'aws.backup' | 'aws.rds';
      readonly 'detail-type': string;
      readonly detail: Record<string, unknown>;
    };

/** Routes one event; `aws`, `settings` and `wait` are parameters so tests pass fakes. */
export async function handle(
  event: AutomationEvent,
  aws: AwsApi,
  settings: Settings,
  wait: Sleep = sleep,
): Promise<unknown> {
  if ('action' in event) {
    if (event.action === 'ensure-users') return ensureUsersAction(aws, settings);
    throw new Error(`unknown action ${String(event.action)} (allowed: ensure-users)`);
  }
  if ('Step' in event) return rotate(aws, settings, event);
  if (event.source === 'aws.backup' && event['detail-type'] === 'Restore Job State Change') {
    return restoreCompleted(aws, settings, String(event.detail.restoreJobId));
  }
  if (event.source === 'aws.rds' && event.detail.SourceIdentifier === settings.restoreCheckInstanceId) {
    return checkInstanceCreated(aws, settings, wait);
  }
  throw new Error(`unexpected event: ${JSON.stringify(event).slice(0, 200)}`);
}

/** The Lambda entry point (`handler.handler`). */
export async function handler(event: AutomationEvent): Promise<unknown> {
  const result = await handle(event, await awsApi(), settingsFromEnvironment(process.env));
  console.log(JSON.stringify({ result }));
  return result;
}
