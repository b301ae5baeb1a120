import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away PostgreSQL server on 127.0.0.1 for tests of code that logs in to PostgreSQL. */
export interface TestPostgres {
  readonly port: number;
  readonly superuser: { readonly user: string; readonly password: string };
  /** Runs SQL as the superuser in a database. */
  sql(database: string, statement: string): string;
  stop(): void;
}

/** The folder of initdb and pg_ctl: PATH first, then Debian's /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return join(realpathSync(which.stdout.trim()), '..');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  const found = majors
    .map((major) => join(root, major, 'bin'))
    .find((dir) => existsSync(join(dir, 'initdb')));
  return found;
}

/**
 * Starts a server in a new folder (as the `postgres` user when run as root: initdb refuses root), with
 * SCRAM-SHA-256 password authentication over TCP, as RDS uses.
 */
export function startPostgres(bin: string): TestPostgres {
  const asRoot = process.getuid?.() === 0;
  // Under os.tmpdir() the folder would be unreachable for the postgres user when the parent is private.
  const dir = mkdtempSync(join(asRoot ? '/tmp' : tmpdir(), 'wms-pg-'));
  const run = (command: string, args: string[], input?: string) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], {
          encoding: 'utf8',
          input,
        })
      : execFileSync(join(bin, command), args, { encoding: 'utf8', input });
  // A fresh password per server: no credential lives in the code, even for a throw-away server.
  const password = randomBytes(18).toString('base64url');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const data = join(dir, 'data');
  let started = false;
  const stopServer = () => {
    if (started) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  };
  try {
    if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), 0);
    const data = join(dir, 'data');
    run(
      'initdb',
      ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8'],
      '',
    );
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      '-w',
      'start',
    ]);
    started = true;
    const sql = (database: string, statement: string) =>
      run('psql', [
        '-h',
        dir,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        database,
        '-v',
        'ON_ERROR_STOP=1',
        '-Atc',
        statement,
      ]);
    sql('postgres', `ALTER ROLE postgres PASSWORD '${password}'`);
    return {
      port,
      superuser: { user: 'postgres', password },
      sql,
      stop: () => {
        try {
          stopServer();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    try {
      stopServer();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    throw error;
  }
}
