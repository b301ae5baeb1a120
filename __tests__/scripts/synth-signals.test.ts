import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Pids of the live processes whose parent is `pid`. */
function children(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(ppid) === pid && state !== 'Z';
      } catch {
        return false;
      }
    })
    .map(Number);
}

function argv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

const alive = (pid: number) =>
  existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('npm run synth forwards signals to the synth (Linux: reads /proc)', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'wms-signals-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'GIVEN npm run synth is stopped with %s while the app runs THEN the app stops too and cdktf.out is not half-written',
    async (signal) => {
      const outdir = join(work, 'cdktf.out');
      const npm = spawn('npm', ['run', '--silent', 'synth'], {
        cwd: ROOT,
        env: { ...process.env, CDKTF_OUTDIR: outdir },
        stdio: 'ignore',
      });
      const exited = new Promise<void>((done) => npm.on('close', () => done()));
      const npmPid = npm.pid as number;
      // Wait for the app process (node dist/main.js) under npm: directly (the script execs it) or under a shell.
      let app: number | undefined;
      for (let waited = 0; app === undefined && waited < 60_000; waited += 100) {
        const tree = children(npmPid).flatMap((pid) => [pid, ...children(pid)]);
        // The node process itself, not a shell whose command line mentions it.
        app = tree.find((pid) => /(^|\/)node$/.test(argv(pid)[0] ?? '') && argv(pid)[1] === 'dist/main.js');
        if (app === undefined) await sleep(100);
      }
      expect(app).toBeDefined();
      await sleep(Math.floor(Math.random() * 1000));
      process.kill(npmPid, signal);
      await exited;
      for (let waited = 0; alive(app as number) && waited < 5_000; waited += 100) await sleep(100);
      expect(alive(app as number)).toBe(false);
      // Either nothing was published, or a whole tree was.
      if (existsSync(outdir)) {
        const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
          stacks: Record<string, unknown>;
        };
        expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(Object.keys(manifest.stacks).sort());
      }
    },
    90_000,
  );
});
