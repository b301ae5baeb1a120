import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// Static checks of the starter files (no Docker engine here: nothing is built or run).
const TEMPLATES = join(__dirname, '..', '..', 'templates');
const read = (path: string) => readFileSync(join(TEMPLATES, path), 'utf8');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(source: string): Instruction[] {
  return source
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The instructions of the last stage: what the image runs. */
function finalStage(all: Instruction[]): Instruction[] {
  const last = all.map((i) => i.keyword).lastIndexOf('FROM');
  return all.slice(last);
}

const DIGEST_PINNED = /^(--platform=\S+\s+)?[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}(\s+AS\s+\w+)?$/i;
const SECRET_LIKE =
  /(password|passwd|secret|token|api[_-]?key|private[_-]?key)\s*[:=]|AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----/i;

describe.each([
  ['api/Dockerfile', '4000', 'node:22-'],
  ['web/Dockerfile', '8080', 'nginxinc/nginx-unprivileged:'],
])('%s', (file, port, runtimeBase) => {
  const all = instructions(read(file));
  const final = finalStage(all);

  it('is multi-stage, every base pinned by digest', () => {
    const froms = all.filter((i) => i.keyword === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from.args).toMatch(DIGEST_PINNED);
    expect(final[0].args.startsWith(runtimeBase)).toBe(true);
  });

  it('builds on a supported Node line (22), never 20', () => {
    const nodeBases = all.filter((i) => i.keyword === 'FROM' && i.args.startsWith('node:'));
    for (const from of nodeBases) expect(from.args).toMatch(/^node:22-/);
  });

  it('runs as a numeric non-root user in the final stage', () => {
    const users = final.filter((i) => i.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const [uid] = users[users.length - 1].args.split(':');
    expect(Number(uid)).toBeGreaterThan(0);
  });

  it(`exposes ${port} and checks its health on /health`, () => {
    expect(final.filter((i) => i.keyword === 'EXPOSE').map((i) => i.args)).toEqual([port]);
    const [healthcheck] = final.filter((i) => i.keyword === 'HEALTHCHECK');
    expect(healthcheck.args).toContain(`127.0.0.1:${port}/health`);
  });

  it('holds no secret: no ARG or ENV named like one, no key material', () => {
    for (const i of all.filter((x) => ['ARG', 'ENV'].includes(x.keyword))) {
      expect(i.args).not.toMatch(/PASSWORD|SECRET|TOKEN|KEY/i);
    }
    expect(read(file)).not.toMatch(SECRET_LIKE);
  });

  it('has a .dockerignore that keeps secrets and build output out of the context', () => {
    const ignored = read(join(file, '..', '.dockerignore')).split('\n');
    expect(ignored).toEqual(
      expect.arrayContaining(['.git', 'node_modules', '.env', '.env.*', '*.pem', '.npmrc']),
    );
  });
});

describe('web/nginx.conf', () => {
  it('listens on 8080 and answers /health', () => {
    const conf = read('web/nginx.conf');
    expect(conf).toMatch(/listen 8080;/);
    expect(conf).toMatch(/location = \/health/);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<string, Record<string, unknown>>;
  };
  const { db, api, web } = compose.services;

  it('publishes the API on 4000, the web dev server on 5173, PostgreSQL on 5432, on localhost only', () => {
    expect([api.ports, web.ports, db.ports]).toEqual([
      ['127.0.0.1:4000:4000'],
      ['127.0.0.1:5173:5173'],
      ['127.0.0.1:5432:5432'],
    ]);
  });

  it('seeds the database on first start and starts the API once PostgreSQL is healthy', () => {
    expect(db.volumes).toContain('./db/seed.sql:/docker-entrypoint-initdb.d/10-seed.sql:ro');
    expect(read('db/seed.sql')).toMatch(/CREATE DATABASE wms/);
    expect((db.healthcheck as { test: string[] }).test.join(' ')).toContain('pg_isready');
    expect(api.depends_on).toEqual({ db: { condition: 'service_healthy', restart: true } });
    expect(api.build).toBe('./api');
  });

  it('pins every image by digest and holds no password or secret', () => {
    for (const service of Object.values(compose.services)) {
      if (service.image) expect(String(service.image)).toMatch(DIGEST_PINNED);
    }
    const source = read('docker-compose.yml');
    expect(source).not.toMatch(SECRET_LIKE);
    expect(source).not.toMatch(/POSTGRES_PASSWORD|PGPASSWORD/);
    expect(web.user).toBe('1000:1000');
  });
});

describe('workflows/build.yml (caller of build-image.yml)', () => {
  const caller = parse(read('workflows/build.yml')) as {
    permissions: unknown;
    jobs: { image: { uses: string; permissions: unknown; with: Record<string, string> } };
  };

  it('calls the reusable workflow at main (the signer the admission policy trusts), with least permissions', () => {
    expect(caller.permissions).toEqual({});
    expect(caller.jobs.image.uses).toBe('acme/wms-platform/.github/workflows/build-image.yml@main');
    expect(caller.jobs.image.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(caller.jobs.image.with.image).toBe('wms-api');
  });
});
