/**
 * Publish rounds: real processes publishing a fake app (scripts/lib/publish-child.ts) into one output folder,
 * killed with SIGKILL at random instants, or run two at a time; after each round the output folder is checked to
 * be one whole tree (manifest, stack folders and files of one publish, the provider cache carried over).
 * Used by __tests__/assembly/output-publisher.test.ts (a few rounds) and `npm run hard-edges` (50+).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = resolve(__dirname, '..', '..');

/** What the rounds saw. */
export interface RoundsReport {
  readonly rounds: number;
  /** Rounds after which the output was one whole tree. */
  readonly whole: number;
  /** Rounds whose kill left a staging folder or a lock behind (killed mid-synth or mid-publish). */
  readonly interrupted: number;
  /** Every inconsistency found, with its round. */
  readonly problems: readonly string[];
  /**
   * Entries beside the output folder after a final clean publish (expected: the link and one generation; the
   * markers of taken-over locks, `cdktf.out.lock.dead-*`, stay a minute and are not listed).
   */
  readonly finalEntries: readonly string[];
  readonly elapsedMs: number;
}

/** Bundles the child into `work` (with esbuild, as scripts/build.mjs does) and returns its path. */
export function buildChild(work: string): string {
  const outfile = join(work, 'publish-child.js');
  buildSync({
    entryPoints: [join(ROOT, 'scripts', 'lib', 'publish-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  });
  return outfile;
}

function runChild(child: string, outdir: string, count: number, killAfterMs?: number) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((done) => {
    const proc = spawn(process.execPath, [child, outdir, String(count)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
    proc.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      done({ code, signal, stderr });
    });
  });
}

/** Problems of the tree `outdir` shows (empty when it is one whole publish that kept the provider cache). */
export function treeProblems(outdir: string): string[] {
  if (!existsSync(join(outdir, 'manifest.json'))) return ['no manifest.json'];
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    token: string;
    stacks: Record<string, unknown>;
  };
  const problems: string[] = [];
  const listed = Object.keys(manifest.stacks).sort();
  const present = readdirSync(join(outdir, 'stacks')).sort();
  if (listed.join() !== present.join()) {
    problems.push(`manifest lists ${listed.length} stacks, ${present.length} stack folders present`);
  }
  for (const stack of present) {
    const file = join(outdir, 'stacks', stack, 'cdk.tf.json');
    if (!existsSync(file)) problems.push(`${stack}: no cdk.tf.json`);
    else if ((JSON.parse(readFileSync(file, 'utf8')) as { token: string }).token !== manifest.token) {
      problems.push(`${stack}: from another publish than the manifest`);
    }
  }
  if (!existsSync(join(outdir, 'stacks', 's01', '.terraform', 'marker')))
    problems.push('provider cache lost');
  return problems;
}

async function prepare(work: string): Promise<{ child: string; outdir: string }> {
  mkdirSync(work, { recursive: true });
  const child = buildChild(work);
  const outdir = join(work, 'cdktf.out');
  const first = await runChild(child, outdir, 1);
  if (first.code !== 0) throw new Error(`the first publish failed: ${first.stderr}`);
  mkdirSync(join(outdir, 'stacks', 's01', '.terraform'), { recursive: true });
  writeFileSync(join(outdir, 'stacks', 's01', '.terraform', 'marker'), 'provider cache');
  return { child, outdir };
}

async function finish(child: string, outdir: string, work: string): Promise<string[]> {
  const last = await runChild(child, outdir, 1);
  if (last.code !== 0) throw new Error(`the final publish failed: ${last.stderr}`);
  return readdirSync(work)
    .filter((entry) => entry.startsWith('cdktf.out') && !entry.startsWith('cdktf.out.lock.dead-'))
    .map((entry) => (entry.startsWith('cdktf.out.gen-') ? 'cdktf.out.gen-*' : entry))
    .sort();
}

/**
 * Kills a publishing process with SIGKILL at a random instant (0 to `maxDelayMs` after its start), `rounds`
 * times, checking the output after each kill.
 */
export async function killRounds(work: string, rounds: number, maxDelayMs = 400): Promise<RoundsReport> {
  const started = Date.now();
  const { child, outdir } = await prepare(work);
  const problems: string[] = [];
  let whole = 0;
  let interrupted = 0;
  for (let round = 1; round <= rounds; round += 1) {
    const result = await runChild(child, outdir, 0, Math.floor(Math.random() * maxDelayMs));
    if (result.signal !== 'SIGKILL')
      problems.push(`round ${round}: the child ended by itself: ${result.stderr}`);
    const leftovers = readdirSync(work).filter((e) => /^cdktf\.out\.(staging-|lock$|link-)/.test(e));
    if (leftovers.length > 0) interrupted += 1;
    const found = treeProblems(outdir);
    if (found.length === 0) whole += 1;
    problems.push(...found.map((p) => `round ${round}: ${p}`));
  }
  const finalEntries = await finish(child, outdir, work);
  return { rounds, whole, interrupted, problems, finalEntries, elapsedMs: Date.now() - started };
}

/** Runs two publishing processes at once (`publishes` each), `rounds` times, checking the output after each. */
export async function concurrentRounds(work: string, rounds: number, publishes = 5): Promise<RoundsReport> {
  const started = Date.now();
  const { child, outdir } = await prepare(work);
  const problems: string[] = [];
  let whole = 0;
  for (let round = 1; round <= rounds; round += 1) {
    const results = await Promise.all([
      runChild(child, outdir, publishes),
      runChild(child, outdir, publishes),
    ]);
    results.forEach((r, i) => {
      if (r.code !== 0) problems.push(`round ${round}: process ${i + 1} exited ${r.code}: ${r.stderr}`);
    });
    const found = treeProblems(outdir);
    if (found.length === 0) whole += 1;
    problems.push(...found.map((p) => `round ${round}: ${p}`));
  }
  const finalEntries = await finish(child, outdir, work);
  return { rounds, whole, interrupted: 0, problems, finalEntries, elapsedMs: Date.now() - started };
}
