import { randomUUID } from 'node:crypto';
import type { AwsApi } from '../../functions/database-automation/aws';
import { RESTORE_JOB_TAG } from '../../functions/database-automation/aws';
import { judgeCounts, scramVerifier, withConnection } from '../../functions/database-automation/database';
import type { Settings } from '../../functions/database-automation/handler';
import { handle, METRICS, settingsFromEnvironment } from '../../functions/database-automation/handler';
import type { TestPostgres } from '../support/postgres';
import { postgresBinDir, startPostgres } from '../support/postgres';

/** Secrets Manager in memory: versions with stages, as the rotation protocol needs them. */
class FakeSecrets {
  readonly versions = new Map<string, Map<string, { value: string; stages: string[] }>>();
  rotationEnabled = true;

  current(secretId: string): string | undefined {
    for (const version of this.versions.get(secretId)?.values() ?? []) {
      if (version.stages.includes('AWSCURRENT')) return version.value;
    }
    return undefined;
  }
}

function fakeAws(secrets: FakeSecrets, db: TestPostgres | undefined, calls: string[]): AwsApi {
  let passwords = 0;
  const instances = new Map<string, { clusterId: string; restoreJobId: string }>();
  return {
    async getSecret(secretId, stage, versionId) {
      const versions = secrets.versions.get(secretId);
      if (!versions) return undefined;
      for (const [id, version] of versions) {
        if ((versionId === undefined || id === versionId) && version.stages.includes(stage ?? 'AWSCURRENT')) {
          return version.value;
        }
      }
      return undefined;
    },
    async putSecret(secretId, value, options = {}) {
      calls.push(`putSecret ${secretId}`);
      const versions = secrets.versions.get(secretId) ?? new Map();
      secrets.versions.set(secretId, versions);
      const stages = options.stages ?? ['AWSCURRENT'];
      if (stages.includes('AWSCURRENT')) {
        for (const version of versions.values())
          version.stages = version.stages.filter((stage: string) => stage !== 'AWSCURRENT');
      }
      versions.set(options.token ?? randomUUID(), { value, stages });
    },
    async describeSecret(secretId) {
      const versions = secrets.versions.get(secretId) ?? new Map();
      return {
        rotationEnabled: secrets.rotationEnabled,
        versions: Object.fromEntries([...versions].map(([id, v]) => [id, v.stages])),
      };
    },
    async moveCurrentStage(secretId, toVersion, fromVersion) {
      const versions = secrets.versions.get(secretId)!;
      if (fromVersion) versions.get(fromVersion)!.stages = ['AWSPREVIOUS'];
      versions.get(toVersion)!.stages = ['AWSCURRENT'];
    },
    async randomPassword() {
      passwords += 1;
      return `Generated${passwords}Password${randomUUID().replace(/-/g, '')}`;
    },
    async describeRestoreJob(restoreJobId) {
      return restoreJobId === 'job-of-another-plan'
        ? {
            createdResourceArn: 'arn:aws:rds:eu-west-1:1:cluster:other',
            restoreTestingPlanArn: 'arn:...:other_plan',
          }
        : {
            createdResourceArn: 'arn:aws:rds:eu-west-1:111111111111:cluster:awsbackup-restore-test-1',
            restoreTestingPlanArn:
              'arn:aws:backup:eu-west-1:111111111111:restore-testing-plan:wms_test_db_restore_test',
          };
    },
    async putValidation(restoreJobId, status, message) {
      calls.push(`putValidation ${restoreJobId} ${status} ${message}`);
    },
    async describeCluster() {
      return { masterUsername: 'wms_admin', managedMasterSecret: true, status: 'available', pending: false };
    },
    async setClusterMasterPassword(clusterId, password, stopManaging) {
      calls.push(`setClusterMasterPassword ${clusterId} stopManaging=${stopManaging}`);
      // The "restored cluster" is the test server: its master user gets the new password.
      db?.sql('postgres', `ALTER ROLE wms_admin PASSWORD '${password}'`);
    },
    async createInstance(instanceId, clusterId, instanceClass, restoreJobId) {
      calls.push(`createInstance ${instanceId} ${clusterId} ${instanceClass}`);
      instances.set(instanceId, { clusterId, restoreJobId });
    },
    async describeInstance(instanceId) {
      const instance = instances.get(instanceId);
      return {
        endpoint: '127.0.0.1',
        port: db?.port ?? 1,
        clusterId: instance?.clusterId ?? 'unknown',
        restoreJobId: instance?.restoreJobId,
      };
    },
    async deleteInstance(instanceId) {
      calls.push(`deleteInstance ${instanceId}`);
    },
    async putMetric(namespace, name, value) {
      calls.push(`putMetric ${namespace} ${name} ${value}`);
    },
  };
}

const ENVIRONMENT = {
  DATABASE_HOST: '127.0.0.1',
  DATABASE_PORT: '5432',
  DATABASE_NAME: 'wms',
  DATABASE_SCHEMA: 'wms',
  MASTER_SECRET_ARN: 'master',
  RUNTIME_USER: 'wms_api',
  RUNTIME_SECRET_ARN: 'api-secret',
  MIGRATION_USER: 'wms_migrator',
  MIGRATION_SECRET_ARN: 'migrator-secret',
  RESTORE_TESTING_PLAN_NAME: 'wms_test_db_restore_test',
  RESTORE_CHECK_INSTANCE_ID: 'wms-test-db-restore-check',
  RESTORE_CHECK_INSTANCE_CLASS: 'db.t4g.medium',
  RESTORE_CHECK_TABLES: JSON.stringify([{ table: 'wms.orders', minRows: 2 }]),
  METRIC_NAMESPACE: 'WMS/Backup',
  DATABASE_TLS: 'false',
};

const noWait = async () => undefined;

describe('settings', () => {
  it('reads every setting from the environment the construct sets, TLS on unless told otherwise', () => {
    const settings = settingsFromEnvironment({ ...ENVIRONMENT, DATABASE_TLS: undefined });
    expect(settings).toMatchObject({
      port: 5432,
      tls: true,
      restoreCheckTables: [{ table: 'wms.orders', minRows: 2 }],
    });
  });

  it('names a missing variable', () => {
    expect(() => settingsFromEnvironment({ ...ENVIRONMENT, MASTER_SECRET_ARN: '' })).toThrow(
      /MASTER_SECRET_ARN is not set/,
    );
  });
});

describe('judgeCounts', () => {
  it('passes when every table has its minimum, fails on a missing table or too few rows', () => {
    expect(judgeCounts([{ table: 'a', minRows: 1, rows: 1 }]).ok).toBe(true);
    expect(judgeCounts([{ table: 'a', minRows: 2, rows: 1 }])).toEqual({
      ok: false,
      message: 'a: 1 rows (min 2)',
    });
    expect(judgeCounts([{ table: 'a', minRows: 0, error: 'relation "a" does not exist' }]).ok).toBe(false);
    expect(judgeCounts([])).toEqual({ ok: true, message: 'logged in; no key tables configured' });
  });
});

describe('scramVerifier', () => {
  it('is the RFC 7677 verifier PostgreSQL stores (fixed salt gives a fixed value)', () => {
    const verifier = scramVerifier('pencil', Buffer.from('salt-of-16-bytes'), 4096);
    expect(verifier).toMatch(
      /^SCRAM-SHA-256\$4096:c2FsdC1vZi0xNi1ieXRlcw==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/,
    );
    expect(scramVerifier('pencil', Buffer.from('salt-of-16-bytes'), 4096)).toBe(verifier);
  });
});

describe('events that are not for this function', () => {
  it('refuses an unknown action and an unexpected event', async () => {
    const settings = settingsFromEnvironment(ENVIRONMENT);
    const aws = fakeAws(new FakeSecrets(), undefined, []);
    await expect(handle({ action: 'drop-everything' } as never, aws, settings)).rejects.toThrow(
      /unknown action drop-everything \(allowed: ensure-users\)/,
    );
    await expect(
      handle(
        { source: 'aws.rds', 'detail-type': 'RDS DB Instance Event', detail: { SourceIdentifier: 'x' } },
        aws,
        settings,
      ),
    ).rejects.toThrow(/unexpected event/);
  });

  it('ignores restore jobs of other plans', async () => {
    const calls: string[] = [];
    const result = await handle(
      {
        source: 'aws.backup',
        'detail-type': 'Restore Job State Change',
        detail: { restoreJobId: 'job-of-another-plan' },
      },
      fakeAws(new FakeSecrets(), undefined, calls),
      settingsFromEnvironment(ENVIRONMENT),
    );
    expect(result).toMatch(/ignored/);
    expect(calls).toEqual([]);
  });
});

const bin = postgresBinDir();
if (!bin) {
  // Printed so a run without PostgreSQL says what it did not prove (scripts/setup-tools.sh installs it).
  console.warn(
    'database-automation: PostgreSQL (initdb) not found: the tests against a real server are skipped',
  );
}
(bin ? describe : describe.skip)('against a real PostgreSQL server', () => {
  let db: TestPostgres;
  let settings: Settings;
  const secrets = new FakeSecrets();
  const masterPassword = 'master-password-1';

  beforeAll(() => {
    db = startPostgres(bin as string);
    // What RDS gives the master user: CREATEROLE, and ownership of the database it creates; not a superuser.
    db.sql('postgres', `CREATE ROLE wms_admin LOGIN CREATEROLE PASSWORD '${masterPassword}'`);
    db.sql('postgres', 'CREATE DATABASE wms OWNER wms_admin');
    settings = { ...settingsFromEnvironment(ENVIRONMENT), port: db.port };
    secrets.versions.set(
      'master',
      new Map([
        [
          'v1',
          {
            value: JSON.stringify({ username: 'wms_admin', password: masterPassword }),
            stages: ['AWSCURRENT'],
          },
        ],
      ]),
    );
  }, 60_000);

  afterAll(() => db?.stop());

  const login = (user: string, password: string) => ({
    host: '127.0.0.1',
    port: db.port,
    database: 'wms',
    user,
    password,
    tls: false,
  });
  const credentials = (secretId: string) =>
    JSON.parse(secrets.current(secretId) as string) as { username: string; password: string };

  it('ensure-users creates both users with generated passwords in their secrets, and returns no password', async () => {
    const calls: string[] = [];
    const result = await handle({ action: 'ensure-users' }, fakeAws(secrets, db, calls), settings);
    expect(result).toEqual({ users: ['wms_api', 'wms_migrator'] });
    expect(JSON.stringify(result)).not.toMatch(/Generated/);
    expect(credentials('api-secret').username).toBe('wms_api');
    expect(credentials('migrator-secret').username).toBe('wms_migrator');
    // Neither is a member of rds_iam (which would refuse password logins, locking the proxy out).
    expect(
      db.sql(
        'wms',
        "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname IN ('wms_api', 'wms_migrator')",
      ),
    ).toBe('0\n');
  });

  it('the migration user owns the schema: it creates tables; the runtime user reads and writes rows only', async () => {
    const migrator = credentials('migrator-secret');
    const api = credentials('api-secret');
    await withConnection(login(migrator.username, migrator.password), async (client) => {
      await client.query('CREATE TABLE orders (id serial PRIMARY KEY, ref text NOT NULL)');
    });
    await withConnection(login(api.username, api.password), async (client) => {
      await client.query("INSERT INTO orders (ref) VALUES ('A-1'), ('A-2')");
      expect((await client.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBe(2);
      await expect(client.query('CREATE TABLE sneaky (id int)')).rejects.toThrow(/permission denied/);
      await expect(client.query('DROP TABLE orders')).rejects.toThrow(/must be owner/);
      await expect(client.query('CREATE TABLE public.sneaky (id int)')).rejects.toThrow(/permission denied/);
    });
  });

  it('ensure-users is idempotent and keeps the stored passwords', async () => {
    const before = credentials('api-secret').password;
    await handle({ action: 'ensure-users' }, fakeAws(secrets, db, []), settings);
    expect(credentials('api-secret').password).toBe(before);
    await withConnection(login('wms_api', before), (client) => client.query('SELECT 1'));
  });

  it('no clear-text password reaches the server: roles store SCRAM verifiers', () => {
    expect(
      db.sql(
        'postgres',
        "SELECT rolpassword LIKE 'SCRAM-SHA-256$4096:%' FROM pg_authid WHERE rolname = 'wms_api'",
      ),
    ).toBe('t\n');
  });

  it('rotates a user through the four Secrets Manager steps: the old password stops working, the new one works', async () => {
    const old = credentials('api-secret').password;
    const token = randomUUID();
    const aws = fakeAws(secrets, db, []);
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      if (Step === 'createSecret') {
        // Secrets Manager labels the new version AWSPENDING, without a value, before it calls createSecret.
        await aws.putSecret('api-secret', '', { token, stages: ['AWSPENDING'] });
      }
      await handle({ Step, SecretId: 'api-secret', ClientRequestToken: token }, aws, settings);
    }
    const rotated = credentials('api-secret');
    expect(rotated.password).not.toBe(old);
    await withConnection(login('wms_api', rotated.password), (client) => client.query('SELECT 1'));
    await expect(withConnection(login('wms_api', old), (client) => client.query('SELECT 1'))).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it('refuses to rotate a secret it does not own, or one whose rotation is off', async () => {
    const aws = fakeAws(secrets, db, []);
    await expect(
      handle({ Step: 'setSecret', SecretId: 'someone-else', ClientRequestToken: 't' }, aws, settings),
    ).rejects.toThrow(/not rotated by this function/);
    secrets.rotationEnabled = false;
    await expect(
      handle({ Step: 'setSecret', SecretId: 'api-secret', ClientRequestToken: 't' }, aws, settings),
    ).rejects.toThrow(/rotation is not enabled/);
    secrets.rotationEnabled = true;
  });

  it('restore check: adds the instance, then counts the key tables, deletes the instance and reports', async () => {
    const calls: string[] = [];
    const aws = fakeAws(secrets, db, calls);
    const restoreEvent = {
      source: 'aws.backup' as const,
      'detail-type': 'Restore Job State Change',
      detail: { restoreJobId: 'job-1' },
    };
    await handle(restoreEvent, aws, settings, noWait);
    const created = {
      source: 'aws.rds' as const,
      'detail-type': 'RDS DB Instance Event',
      detail: { SourceIdentifier: 'wms-test-db-restore-check', EventID: 'RDS-EVENT-0005' },
    };
    const result = await handle(created, aws, settings, noWait);
    expect(result).toBe('restore job job-1: SUCCESSFUL: wms.orders: 2 rows (min 2)');
    expect(calls).toEqual([
      'createInstance wms-test-db-restore-check awsbackup-restore-test-1 db.t4g.medium',
      'putValidation job-1 VALIDATING adding check instance wms-test-db-restore-check',
      'setClusterMasterPassword awsbackup-restore-test-1 stopManaging=true',
      'deleteInstance wms-test-db-restore-check',
      `putMetric WMS/Backup ${METRICS.succeeded} 1`,
      'putValidation job-1 SUCCESSFUL wms.orders: 2 rows (min 2)',
    ]);
  });

  it('restore check fails on too few rows or a missing table, and still deletes the instance', async () => {
    const calls: string[] = [];
    const aws = fakeAws(secrets, db, calls);
    const strict = {
      ...settings,
      restoreCheckTables: [
        { table: 'wms.orders', minRows: 3 },
        { table: 'wms.locations', minRows: 0 },
      ],
    };
    await handle(
      { source: 'aws.backup', 'detail-type': 'Restore Job State Change', detail: { restoreJobId: 'job-2' } },
      aws,
      strict,
      noWait,
    );
    const result = await handle(
      {
        source: 'aws.rds',
        'detail-type': 'RDS DB Instance Event',
        detail: { SourceIdentifier: 'wms-test-db-restore-check' },
      },
      aws,
      strict,
      noWait,
    );
    expect(result).toMatch(
      /^restore job job-2: FAILED: wms.orders: 2 rows \(min 3\); wms.locations: relation "wms.locations" does not exist$/,
    );
    expect(calls).toContain('deleteInstance wms-test-db-restore-check');
    expect(calls).toContain(`putMetric WMS/Backup ${METRICS.failed} 1`);
    expect(calls[calls.length - 1]).toMatch(/^putValidation job-2 FAILED /);
  });
});

describe('restore check without a server', () => {
  it('reports FAILED when the restored cluster never accepts a login', async () => {
    const calls: string[] = [];
    const aws = fakeAws(new FakeSecrets(), undefined, calls);
    const settings = { ...settingsFromEnvironment(ENVIRONMENT), port: 1 };
    await handle(
      { source: 'aws.backup', 'detail-type': 'Restore Job State Change', detail: { restoreJobId: 'job-3' } },
      aws,
      settings,
      noWait,
    );
    const result = await handle(
      {
        source: 'aws.rds',
        'detail-type': 'RDS DB Instance Event',
        detail: { SourceIdentifier: 'wms-test-db-restore-check' },
      },
      aws,
      settings,
      noWait,
    );
    expect(result).toMatch(/^restore job job-3: FAILED: could not log in to the restored cluster/);
    expect(calls).toContain(`putMetric WMS/Backup ${METRICS.failed} 1`);
    expect(RESTORE_JOB_TAG).toBe('wms:restore-job-id');
  }, 60_000);
});
