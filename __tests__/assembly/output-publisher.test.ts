import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_LOCK_TIMEOUT_MS,
  OutputLockedError,
  publishOutput,
  stagingFolder,
} from '../../assembly/output-publisher';
import { concurrentRounds, killRounds } from '../../scripts/lib/publish-rounds';

/** Rounds run by default (the whole `npm test` must stay short); `npm run publish-rounds` runs 50 or more. */
const KILL_ROUNDS = 8;
const CONCURRENT_ROUNDS = 3;

describe('publishOutput', () => {
  let work: string;
  let outdir: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'wms-publish-'));
    outdir = join(work, 'cdktf.out');
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  /** Writes a fake synthesized app into this process's staging folder. */
  const stage = (stacks: string[], token: string): string => {
    const staging = stagingFolder(outdir);
    for (const stack of stacks) {
      mkdirSync(join(staging, 'stacks', stack), { recursive: true });
      writeFileSync(join(staging, 'stacks', stack, 'cdk.tf.json'), token);
    }
    writeFileSync(join(staging, 'manifest.json'), JSON.stringify({ token, stacks }));
    return staging;
  };
  const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid as number;
  const entries = () =>
    readdirSync(work)
      .map((e) => e.replace(/^cdktf\.out\.gen-.*/, 'cdktf.out.gen-*'))
      .sort();

  it('GIVEN a publish THEN cdktf.out is a link to one whole generation beside it, at the same depth', () => {
    expect(publishOutput(stage(['b', 'a'], 'one'), outdir)).toEqual(['a', 'b']);
    expect(lstatSync(outdir).isSymbolicLink()).toBe(true);
    expect(readlinkSync(outdir)).toMatch(/^cdktf\.out\.gen-\d+-\w+$/);
    expect(readFileSync(join(outdir, 'stacks', 'a', 'cdk.tf.json'), 'utf8')).toBe('one');
    expect(entries()).toEqual(['cdktf.out', 'cdktf.out.gen-*']);
  });

  it('GIVEN a second publish THEN stale stacks go, the provider cache stays (hard-linked), the old generation goes', () => {
    publishOutput(stage(['a', 'old'], 'one'), outdir);
    mkdirSync(join(outdir, 'stacks', 'a', '.terraform', 'providers'), { recursive: true });
    writeFileSync(join(outdir, 'stacks', 'a', '.terraform', 'providers', 'binary'), 'provider');
    writeFileSync(join(outdir, 'stacks', 'a', '.terraform.lock.hcl'), 'lock');
    const before = statSync(join(outdir, 'stacks', 'a', '.terraform', 'providers', 'binary')).ino;

    expect(publishOutput(stage(['a', 'b'], 'two'), outdir)).toEqual(['a', 'b']);

    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(['a', 'b']);
    expect(readFileSync(join(outdir, 'stacks', 'a', 'cdk.tf.json'), 'utf8')).toBe('two');
    expect(readFileSync(join(outdir, 'stacks', 'a', '.terraform.lock.hcl'), 'utf8')).toBe('lock');
    expect(statSync(join(outdir, 'stacks', 'a', '.terraform', 'providers', 'binary')).ino).toBe(before);
    expect(entries()).toEqual(['cdktf.out', 'cdktf.out.gen-*']);
  });

  it('GIVEN a plain cdktf.out folder from an older version THEN it is converted, keeping its provider cache', () => {
    mkdirSync(join(outdir, 'stacks', 'a', '.terraform'), { recursive: true });
    writeFileSync(join(outdir, 'stacks', 'a', '.terraform', 'marker'), 'cache');
    publishOutput(stage(['a'], 'one'), outdir);
    expect(lstatSync(outdir).isSymbolicLink()).toBe(true);
    expect(existsSync(join(outdir, 'stacks', 'a', '.terraform', 'marker'))).toBe(true);
    expect(entries()).toEqual(['cdktf.out', 'cdktf.out.gen-*']);
  });

  it('GIVEN leftovers of killed runs THEN they are removed, and a folder moved aside by a killed conversion is put back first', () => {
    const dead = deadPid();
    mkdirSync(join(work, `cdktf.out.staging-${dead}`, 'stacks'), { recursive: true });
    mkdirSync(join(work, 'cdktf.out.gen-1-abc', 'stacks'), { recursive: true });
    mkdirSync(join(work, `cdktf.out.old-${dead}`, 'stacks', 'a', '.terraform'), { recursive: true });
    writeFileSync(join(work, `cdktf.out.old-${dead}`, 'stacks', 'a', '.terraform', 'marker'), 'cache');
    mkdirSync(join(work, 'cdktf.out.lock.dead-0123abcd'));
    utimesSync(join(work, 'cdktf.out.lock.dead-0123abcd'), new Date(0), new Date(0)); // taken over long ago
    mkdirSync(join(work, 'cdktf.out.lock.dead-4567cdef')); // taken over just now: kept a minute
    mkdirSync(join(work, 'cdktf.out.backup')); // not ours: kept
    publishOutput(stage(['a'], 'one'), outdir);
    expect(existsSync(join(outdir, 'stacks', 'a', '.terraform', 'marker'))).toBe(true);
    expect(entries()).toEqual([
      'cdktf.out',
      'cdktf.out.backup',
      'cdktf.out.gen-*',
      'cdktf.out.lock.dead-4567cdef',
    ]);
  });

  it('GIVEN staging folders of killed synths THEN the next synth removes them before it starts, keeping live ones', () => {
    const dead = deadPid();
    mkdirSync(join(work, `cdktf.out.staging-${dead}`, 'stacks'), { recursive: true });
    mkdirSync(join(work, `cdktf.out.staging-${process.ppid}`)); // a live process (jest's parent)
    expect(stagingFolder(outdir)).toBe(join(work, `cdktf.out.staging-${process.pid}`));
    expect(entries()).toEqual([`cdktf.out.staging-${process.ppid}`]);
  });

  it('GIVEN the lock of a process that is gone THEN it is taken over', () => {
    const lock = join(work, 'cdktf.out.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: deadPid(), nonce: 'dead' }));
    expect(publishOutput(stage(['a'], 'one'), outdir)).toEqual(['a']);
    expect(existsSync(lock)).toBe(false);
  });

  it('GIVEN the lock of a live process THEN it waits, then fails naming the process, leaving the output as it was', async () => {
    publishOutput(stage(['a'], 'one'), outdir);
    const holder = spawn('sleep', ['30']);
    try {
      const lock = join(work, 'cdktf.out.lock');
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: holder.pid, nonce: 'live' }));
      const waited: number[] = [];
      const staging = stage(['a', 'b'], 'two');
      expect(() =>
        publishOutput(staging, outdir, { lockTimeoutMs: 300, onWait: (pid) => waited.push(pid) }),
      ).toThrow(
        new OutputLockedError(
          `${outdir} is being published by process ${holder.pid} (lock ${lock}); waited 300 ms. ` +
            'Run one synth at a time, or stop that process.',
        ),
      );
      expect(waited).toEqual([holder.pid]);
      expect(readFileSync(join(outdir, 'manifest.json'), 'utf8')).toContain('"one"');
      expect(existsSync(lock)).toBe(true);
    } finally {
      holder.kill();
    }
  });

  it('waits a minute for the lock by default, saying on stderr which process it waits for', () => {
    expect(DEFAULT_LOCK_TIMEOUT_MS).toBe(60_000);
    const holder = spawn('sleep', ['30']);
    const lines: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const lock = join(work, 'cdktf.out.lock');
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: holder.pid, nonce: 'live' }));
      expect(() => publishOutput(stage(['a'], 'one'), outdir, { lockTimeoutMs: 100 })).toThrow(
        OutputLockedError,
      );
      expect(lines).toEqual([`waiting for process ${holder.pid}, which is publishing ${outdir}\n`]);
    } finally {
      write.mockRestore();
      holder.kill();
    }
  });

  it(`GIVEN ${KILL_ROUNDS} publishing processes killed with SIGKILL at random instants THEN each kill leaves one whole tree`, async () => {
    const report = await killRounds(work, KILL_ROUNDS);
    expect(report.problems).toEqual([]);
    expect(report.whole).toBe(KILL_ROUNDS);
    expect(report.finalEntries).toEqual(['cdktf.out', 'cdktf.out.gen-*']);
  }, 60_000);

  it(`GIVEN two publishers at once (${CONCURRENT_ROUNDS} rounds) THEN both succeed and the output is one whole tree`, async () => {
    const report = await concurrentRounds(work, CONCURRENT_ROUNDS);
    expect(report.problems).toEqual([]);
    expect(report.whole).toBe(CONCURRENT_ROUNDS);
    expect(report.finalEntries).toEqual(['cdktf.out', 'cdktf.out.gen-*']);
  }, 60_000);

  it('GIVEN the workflows THEN they upload the folder cdktf.out links to, not the link (upload-artifact#92)', () => {
    const workflows = join(__dirname, '..', '..', '.github', 'workflows');
    for (const file of readdirSync(workflows)) {
      const text = readFileSync(join(workflows, file), 'utf8');
      // The `with:` block of every upload step: the lines after `uses: actions/upload-artifact` up to the next step.
      const uploads = text
        .split(/^\s+- /m)
        .filter((step) => step.startsWith('uses: actions/upload-artifact'));
      const uploadsTheLink = uploads.some((step) => /^\s+path: cdktf\.out\/?\s*$/m.test(step));
      expect({ file, uploadsTheLink }).toEqual({ file, uploadsTheLink: false });
      if (text.includes('${{ env.CDKTF_OUT_DIR }}'))
        expect(text).toContain('CDKTF_OUT_DIR=$(realpath cdktf.out)');
    }
  });
});
