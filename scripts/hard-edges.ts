/**
 * `npm run hard-edges`: the measurements of issue #14, reproducible.
 *  - Loader: environment files of 0.2 to 20 MB (10k to 1M keys under one unknown key) read with the default
 *    limit (refused from their size) and with the limit lifted (parsed: time per MB shows linearity).
 *  - Publish: `--rounds` publishing processes killed with SIGKILL at random instants, and `--rounds` rounds of
 *    two publishers at once; after each round the output must be one whole tree.
 * Exits 1 when a round leaves an inconsistent output, 2 on a usage error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseEnvironmentFile } from '../config/load';
import { commandLine, EXIT_USAGE } from './lib/cli';
import { concurrentRounds, killRounds } from './lib/publish-rounds';

const USAGE = `Usage: npm run hard-edges -- [--rounds N] [--skip-loader] [--skip-publish]

Measures the bounded config loader (0.2 to 20 MB environment files: refused by the size limit, and parsed with
the limit lifted, to show linear time) and the atomic publish of cdktf.out (N kills at random instants, N rounds
of two concurrent publishers). About a minute for 50 rounds on 2 cores.

--rounds N       kill rounds and concurrency rounds (default 50)
--skip-loader    skip the loader timings
--skip-publish   skip the publish rounds
--help           print this help

Exit codes: 0 every round left a whole tree; 1 otherwise; 2 usage error.
`;

/** Sizes measured, in MB (the issue's: 0.2 to 1.6 MB took 4.4 to 177 s to be refused; 20 MB ran for 590+ s). */
const SIZES_MB = [0.2, 0.4, 0.8, 1.6, 20];
/** Bytes of one key line: `  k0000001: vvvvvvv` and a newline. */
const LINE_BYTES = 20;

function environmentWithKeys(keys: number): string {
  const lines = [
    stringify({ name: 'big', production: false }),
    'padding:',
    ...Array.from({ length: keys }, (_, i) => `  k${String(i).padStart(7, '0')}: vvvvvvv`),
  ];
  return `${lines.join('\n')}\n`;
}

function loaderTimings(work: string): void {
  console.log('| file | keys | with the 1 MiB limit (s) | result | limit lifted: parsed in (s) | s per MB |');
  console.log('|---:|---:|---:|---:|---:|---|');
  for (const size of SIZES_MB) {
    const keys = Math.round((size * 1e6) / LINE_BYTES);
    const file = join(work, `env-${keys}.yaml`);
    const content = environmentWithKeys(keys);
    writeFileSync(file, content);
    const mb = Buffer.byteLength(content) / 1e6;
    let started = process.hrtime.bigint();
    const bounded = parseEnvironmentFile(file);
    const refusedS = Number(process.hrtime.bigint() - started) / 1e9;
    started = process.hrtime.bigint();
    const unbounded = parseEnvironmentFile(file, Number.MAX_SAFE_INTEGER);
    const parsedS = Number(process.hrtime.bigint() - started) / 1e9;
    const outcome = 'problems' in bounded ? bounded.problems[0].slice(0, 34) : 'read (under the limit)';
    const parsedOk = 'data' in unbounded ? 'parsed' : unbounded.problems[0].slice(0, 30);
    console.log(
      `| ${mb.toFixed(2)} MB | ${keys} | ${refusedS.toFixed(3)} | ${outcome} | ${parsedS.toFixed(2)} (${parsedOk}) | ` +
        `${(parsedS / mb).toFixed(2)} |`,
    );
  }
}

async function main(): Promise<number> {
  const line = commandLine('hard-edges', {
    usage: USAGE,
    options: {
      rounds: { type: 'string' },
      'skip-loader': { type: 'boolean' },
      'skip-publish': { type: 'boolean' },
    },
  });
  const rounds = line.values.rounds === undefined ? 50 : Number(line.values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    process.stderr.write(
      `hard-edges: --rounds: "${String(line.values.rounds)}" is not allowed (a whole number >= 1)\n`,
    );
    return EXIT_USAGE;
  }
  const work = mkdtempSync(join(tmpdir(), 'wms-hard-edges-'));
  try {
    if (!line.values['skip-loader']) loaderTimings(work);
    if (line.values['skip-publish']) return 0;
    const kills = await killRounds(join(work, 'kills'), rounds);
    const concurrent = await concurrentRounds(join(work, 'concurrent'), rounds);
    console.log(
      '\n| publish rounds | rounds | whole tree after the round | interrupted mid-run | s | leftovers after a clean publish |',
    );
    console.log('|---|---:|---:|---:|---:|---|');
    for (const [name, report] of [
      ['SIGKILL at a random instant', kills],
      ['two publishers at once (5 publishes each)', concurrent],
    ] as const) {
      console.log(
        `| ${name} | ${report.rounds} | ${report.whole} | ${report.interrupted} | ` +
          `${(report.elapsedMs / 1000).toFixed(1)} | ${report.finalEntries.join(', ')} |`,
      );
    }
    const problems = [...kills.problems, ...concurrent.problems];
    for (const problem of problems) console.log(`PROBLEM: ${problem}`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
