import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'setup-tools.sh');
// WMS_POSTGRES_LIB points at a folder without PostgreSQL, so the machine's own installation does not count.
const run = (env: NodeJS.ProcessEnv) =>
  spawnSync('/bin/bash', [SCRIPT], { encoding: 'utf8', env: { WMS_POSTGRES_LIB: '/nonexistent', ...env } });

describe('scripts/setup-tools.sh', () => {
  let bin: string;
  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), 'wms-setup-tools-'));
  });
  afterEach(() => rmSync(bin, { recursive: true, force: true }));
  const fake = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };

  it('GIVEN promtool, amtool and initdb on PATH THEN does nothing and prints nothing', () => {
    fake('promtool', 'exit 0');
    fake('amtool', 'exit 0');
    fake('initdb', 'exit 0');
    fake('apt-get', 'echo apt-get must not run >&2; exit 1');
    const result = run({ PATH: bin });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('GIVEN no apt-get THEN fails and says why', () => {
    const result = run({ PATH: bin });
    expect(result.stderr).toMatch(
      /setup-tools: cannot install prometheus prometheus-alertmanager postgresql .*apt-get not found; this script supports Debian\/Ubuntu only/,
    );
    expect(result.status).toBe(1);
  });

  it('GIVEN only amtool missing THEN installs only its package', () => {
    fake('promtool', 'exit 0');
    fake('initdb', 'exit 0');
    const result = run({ PATH: bin });
    expect(result.stderr).toMatch(
      /cannot install prometheus-alertmanager \(for promtool\/amtool\/PostgreSQL\)/,
    );
    expect(result.status).toBe(1);
  });

  it('GIVEN initdb neither on PATH nor in the PostgreSQL folder THEN installs the postgresql package', () => {
    fake('promtool', 'exit 0');
    fake('amtool', 'exit 0');
    const result = run({ PATH: bin });
    expect(result.stderr).toMatch(/cannot install postgresql \(for promtool\/amtool\/PostgreSQL\)/);
    expect(result.status).toBe(1);
  });

  it("GIVEN Debian's PostgreSQL folder with initdb THEN PostgreSQL counts as installed", () => {
    fake('promtool', 'exit 0');
    fake('amtool', 'exit 0');
    fake('apt-get', 'echo apt-get must not run >&2; exit 1');
    const lib = join(bin, 'postgresql');
    mkdirSync(join(lib, '15', 'bin'), { recursive: true });
    writeFileSync(join(lib, '15', 'bin', 'initdb'), '');
    const result = run({ PATH: bin, WMS_POSTGRES_LIB: lib });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('GIVEN not root and no password-less sudo THEN fails and says to run it as root', () => {
    fake('apt-get', 'exit 0');
    fake('id', 'echo 1000');
    const result = run({ PATH: bin });
    expect(result.stderr).toMatch(
      /not running as root and password-less sudo is not available; run it as root/,
    );
    expect(result.status).toBe(1);
  });
});
