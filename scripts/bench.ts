/**
 * `npm run bench`: median wall time and peak memory (resident set of the whole process tree, sampled from /proc),
 * side by side in one run, of:
 *  - `npm run synth` (esbuild-compiled app on plain Node, what the README's main command runs);
 *  - `cdktf synth` with the same precompiled app (the cdktf CLI adds its own start-up);
 *  - the stock runner: `cdktf synth` with `ts-node main.ts`, as `cdktf init` sets projects up;
 *  - the floor: a one-resource cdktf app on precompiled JS, on Node alone and under `cdktf synth`;
 *  - the unit test suite: `npm run test:unit`, jest without the tests that run real tools or whole programs
 *    (listed in jest.config.js: promtool, amtool, terraform, actionlint, PostgreSQL, bash scripts, git worktrees,
 *    the compiled app and CLIs);
 *  - the whole `npm test` (type-check, lint, verify, mock-apply, every jest test), once.
 * Then checks the budgets (2 cores): full synth <= 2 s, <= 500 MiB and <= 0.6x the stock runner; unit suite
 * <= 30 s; npm test <= 180 s. Exits non-zero when a budget is exceeded. Linux only (reads /proc).
 *
 * Options: `--runs N` (default 5; the stock runner and the unit suite run min(N, 3) times); `--help`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLine, EXIT_USAGE } from './lib/cli';

const USAGE = `Usage: npm run bench -- [--runs N]

Measures, side by side, the median wall time and peak memory of npm run synth, cdktf synth (precompiled and
stock ts-node), a one-resource floor app and the jest suites, then checks the budgets (full synth <= 2 s,
<= 500 MiB, <= 0.6x the stock runner; unit suite <= 30 s; npm test <= 180 s). Takes about 10 minutes on 2
idle cores. Linux only.

--runs N    runs per row (default 5; the slow rows run min(N, 3) times)
--help      print this help

Exit codes: 0 every budget met; 1 a budget exceeded or a run failed; 2 usage error.
`;

interface Measurement {
  readonly name: string;
  readonly command: string;
  readonly seconds: number[];
  readonly peakMiB: number[];
}

function treeRssKiB(root: number): number {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let current: number | undefined = pid; current && current > 1; current = parents.get(current)) {
      if (current === root) return true;
    }
    return false;
  };
  let total = 0;
  for (const pid of parents.keys()) {
    if (!inTree(pid)) continue;
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += match ? Number(match[1]) : 0;
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

function measureOnce(command: string, env: NodeJS.ProcessEnv): Promise<{ seconds: number; peakMiB: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, { shell: true, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let peak = 0;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const sampler = setInterval(() => {
      if (child.pid) peak = Math.max(peak, treeRssKiB(child.pid));
    }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`${command} exited ${code}:\n${stderr.slice(-2000)}`));
      else resolvePromise({ seconds, peakMiB: peak / 1024 });
    });
  });
}

async function measure(
  name: string,
  command: string,
  runs: number,
  env: NodeJS.ProcessEnv,
): Promise<Measurement> {
  const result: Measurement = { name, command, seconds: [], peakMiB: [] };
  for (let run = 0; run < runs; run++) {
    const { seconds, peakMiB } = await measureOnce(command, env);
    result.seconds.push(seconds);
    result.peakMiB.push(peakMiB);
  }
  process.stderr.write(`measured ${name}\n`);
  return result;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main(): Promise<number> {
  const line = commandLine('bench', { usage: USAGE, options: { runs: { type: 'string' } } });
  const runs = line.values.runs === undefined ? 5 : Number(line.values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(
      `bench: --runs: "${String(line.values.runs)}" is not allowed (a whole number >= 1)\n`,
    );
    return EXIT_USAGE;
  }
  const slowRuns = Math.min(runs, 3);
  const out = mkdtempSync(join(tmpdir(), 'wms-bench-'));
  const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
  const cdktf = 'node_modules/.bin/cdktf synth --output';
  try {
    const rows = [
      await measure('npm run synth', 'npm run synth --silent', runs, env),
      await measure('cdktf synth (precompiled app)', `${cdktf} ${out}/cli`, slowRuns, env),
      await measure(
        'stock: cdktf synth + ts-node main.ts',
        `${cdktf} ${out}/stock --app "npx ts-node main.ts"`,
        slowRuns,
        env,
      ),
      await measure(
        'floor: 1 resource, node',
        `CDKTF_OUTDIR=${out}/floor node dist/scripts/bench-floor-app.js`,
        runs,
        env,
      ),
      await measure(
        'floor: 1 resource, cdktf synth',
        `${cdktf} ${out}/floor-cli --app "node dist/scripts/bench-floor-app.js"`,
        slowRuns,
        env,
      ),
      await measure(
        'unit test suite (jest, no real-tool tests)',
        'npm run --silent test:unit -- --silent',
        slowRuns,
        env,
      ),
      await measure(
        'npm test (type-check, lint, verify, mock-apply, all of jest)',
        'npm test --silent',
        1,
        env,
      ),
    ];
    const [synth, , stock, , , unit, npmTest] = rows;

    console.log(
      `\n${cpus().length} cores, Node ${process.version}; median of ${runs} runs (${slowRuns} for the slow rows)\n`,
    );
    console.log('| what | median s | peak MiB | runs |');
    console.log('|---|---:|---:|---:|');
    for (const row of rows) {
      console.log(
        `| ${row.name} | ${median(row.seconds).toFixed(2)} | ${median(row.peakMiB).toFixed(0)} | ${row.seconds.length} |`,
      );
    }

    const ratio = median(synth.seconds) / median(stock.seconds);
    const budgets = [
      ['full synth <= 2 s', median(synth.seconds) <= 2, `${median(synth.seconds).toFixed(2)} s`],
      ['full synth <= 500 MiB', median(synth.peakMiB) <= 500, `${median(synth.peakMiB).toFixed(0)} MiB`],
      ['full synth <= 0.6x stock runner', ratio <= 0.6, `${ratio.toFixed(2)}x`],
      ['unit suite <= 30 s', median(unit.seconds) <= 30, `${median(unit.seconds).toFixed(2)} s`],
      ['npm test <= 180 s', median(npmTest.seconds) <= 180, `${median(npmTest.seconds).toFixed(2)} s`],
    ] as const;
    console.log('\n| budget | measured | |\n|---|---|---|');
    for (const [budget, ok, value] of budgets)
      console.log(`| ${budget} | ${value} | ${ok ? 'ok' : 'OVER'} |`);
    return budgets.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
