import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { ClientConfig } from 'pg';

/** Where and as whom to log in. */
export interface Login {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /**
   * TLS with the server certificate verified against the trusted CAs (the RDS CAs on Lambda through
   * NODE_EXTRA_CA_CERTS); `false` only for the local test server.
   */
  readonly tls: boolean;
}

/** The two users the automation owns: the API's runtime user and the migration user that owns the schema. */
export interface DatabaseUsers {
  /** Schema the application's tables live in, owned by the migration user. */
  readonly schema: string;
  /** The runtime user: reads and writes rows, no DDL. */
  readonly runtime: { readonly name: string; readonly password: string };
  /** The migration user: owns the schema (DDL). */
  readonly migration: { readonly name: string; readonly password: string };
}

/** One key table of the restore check and the fewest rows it must have. */
export interface KeyTable {
  /** Table name, optionally schema-qualified (`wms.orders`). */
  readonly table: string;
  readonly minRows: number;
}

/** Row count of one key table, or why it could not be counted. */
export interface TableCount {
  readonly table: string;
  readonly minRows: number;
  readonly rows?: number;
  readonly error?: string;
}

/** Runs `work` on a connection and always closes it. */
export async function withConnection<T>(login: Login, work: (client: Client) => Promise<T>): Promise<T> {
  const config: ClientConfig = {
    host: login.host,
    port: login.port,
    database: login.database,
    user: login.user,
    password: login.password,
    ssl: login.tls ? { rejectUnauthorized: true, servername: login.host } : false,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 60_000,
  };
  const client = new Client(config);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function role(client: Client, name: string): string {
  return client.escapeIdentifier(name);
}

async function createOrUpdateLogin(client: Client, name: string, password: string): Promise<void> {
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  const verb = exists.rowCount ? 'ALTER' : 'CREATE';
  await client.query(
    `${verb} ROLE ${role(client, name)} LOGIN PASSWORD ${passwordLiteral(client, password)}`,
  );
}

/**
 * The password as a SCRAM-SHA-256 verifier literal (RFC 5802/7677, PostgreSQL's stored format), never the clear
 * text: the cluster logs DDL (`log_statement = ddl`), so a clear-text `PASSWORD '...'` would be written to
 * CloudWatch Logs. PostgreSQL stores a verifier it is given as is.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  const b64 = (buffer: Buffer) => buffer.toString('base64');
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}

function passwordLiteral(client: Client, password: string): string {
  return client.escapeLiteral(scramVerifier(password));
}

/**
 * Creates or updates both users with the passwords of their secrets and grants what each needs, idempotently
 * (run on every deploy). Runs as the master user, which must be able to create roles (RDS's master user can).
 *
 * - Both log in with a password: the RDS Proxy logs in with the secret's value. Neither is a member of `rds_iam`:
 *   a member of `rds_iam` can only log in with an IAM token, which would lock the proxy out (clients still
 *   authenticate to the proxy with IAM). An earlier manual grant is revoked.
 * - The migration user owns the schema, so it alone runs DDL; the runtime user reads and writes rows of its tables
 *   and sequences (default privileges cover the tables migrations create later) and creates nothing.
 * - The master user becomes a member of the migration user, so it can read every table (restore check) and
 *   set default privileges for it.
 */
export async function ensureUsers(client: Client, users: DatabaseUsers, database: string): Promise<void> {
  const runtime = role(client, users.runtime.name);
  const migration = role(client, users.migration.name);
  const schema = role(client, users.schema);
  const db = role(client, database);
  await client.query('BEGIN');
  try {
    await createOrUpdateLogin(client, users.migration.name, users.migration.password);
    await createOrUpdateLogin(client, users.runtime.name, users.runtime.password);
    const iam = await client.query("SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'");
    if (iam.rowCount) {
      await client.query(`REVOKE rds_iam FROM ${runtime}, ${migration}`);
    }
    await client.query(`GRANT ${migration} TO CURRENT_USER`);
    await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${runtime}, ${migration}`);
    await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${migration}`);
    await client.query(`ALTER SCHEMA ${schema} OWNER TO ${migration}`);
    await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${runtime}`);
    await client.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${runtime}`,
    );
    await client.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${runtime}`);
    const defaults = `ALTER DEFAULT PRIVILEGES FOR ROLE ${migration} IN SCHEMA ${schema} GRANT`;
    await client.query(`${defaults} SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${runtime}`);
    await client.query(`${defaults} USAGE, SELECT, UPDATE ON SEQUENCES TO ${runtime}`);
    for (const user of [runtime, migration]) {
      // public stays on the path so tables created there before the automation remain reachable.
      await client.query(`ALTER ROLE ${user} SET search_path = ${schema}, public`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** Sets a user's password (rotation's setSecret step). */
export async function setPassword(client: Client, user: string, password: string): Promise<void> {
  await client.query(`ALTER ROLE ${role(client, user)} PASSWORD ${passwordLiteral(client, password)}`);
}

/** Counts the rows of each key table; a missing table or a failed count is reported, not thrown. */
export async function countRows(client: Client, tables: readonly KeyTable[]): Promise<TableCount[]> {
  const counts: TableCount[] = [];
  for (const { table, minRows } of tables) {
    const name = table
      .split('.')
      .map((part) => client.escapeIdentifier(part))
      .join('.');
    try {
      const result = await client.query<{ rows: string }>(`SELECT count(*) AS rows FROM ${name}`);
      counts.push({ table, minRows, rows: Number(result.rows[0].rows) });
    } catch (error) {
      counts.push({ table, minRows, error: (error as Error).message });
    }
  }
  return counts;
}

/** Whether every key table was counted with at least its minimum, and a one-line summary for AWS Backup. */
export function judgeCounts(counts: readonly TableCount[]): { ok: boolean; message: string } {
  const ok = counts.every((c) => c.rows !== undefined && c.rows >= c.minRows);
  const parts = counts.map((c) =>
    c.rows === undefined ? `${c.table}: ${c.error}` : `${c.table}: ${c.rows} rows (min ${c.minRows})`,
  );
  const message = counts.length === 0 ? 'logged in; no key tables configured' : parts.join('; ');
  // PutRestoreValidationResult takes a message; keep it short enough for any console.
  return { ok, message: message.length > 1000 ? `${message.slice(0, 997)}...` : message };
}
