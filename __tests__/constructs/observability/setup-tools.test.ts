import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'setup-tools.sh');
const run = (env: NodeJS.ProcessEnv) => spawnSync('/bin/bash', [SCRIPT], { encoding: 'utf8', env });

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

  it('GIVEN promtool and amtool on PATH THEN does nothing and prints nothing', () => {
    fake('promtool', 'exit 0');
    fake('amtool', 'exit 0');
    fake('apt-get', 'echo apt-get must not run >&2; exit 1');
    const result = run({ PATH: bin });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('GIVEN no apt-get THEN fails and says why', () => {
    const result = run({ PATH: bin });
    expect(result.stderr).toMatch(
      /setup-tools: cannot install prometheus prometheus-alertmanager .*apt-get not found; this script supports Debian\/Ubuntu only/,
    );
    expect(result.status).toBe(1);
  });

  it('GIVEN only amtool missing THEN installs only its package', () => {
    fake('promtool', 'exit 0');
    const result = run({ PATH: bin });
    expect(result.stderr).toMatch(/cannot install prometheus-alertmanager \(for promtool\/amtool\)/);
    expect(result.status).toBe(1);
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
