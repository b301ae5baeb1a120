/**
 * `npm run mock-apply`: the apply rehearsal. Synthesizes every stack (or reads an existing cdktf.out), and for each
 * stack whose providers are all in a local mirror runs `terraform init` and `terraform test` with a generated
 * `tests/apply.tftest.hcl` that mocks every provider and applies the whole stack: the dependency graph, every
 * reference and the values the provider validates at apply time are exercised without credentials or network.
 * Prints a table (stack, resources applied, seconds, result), says why each other stack is not rehearsed, and exits
 * non-zero if any rehearsal fails.
 *
 * Options: `--outdir <dir>` rehearses an already synthesized cdktf.out instead of synthesizing; `--stack <name>`
 * (repeatable) rehearses only these stacks; `--keep` keeps the work folder (printed) for inspection.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironments } from '../config/load';
import { synthesize } from '../assembly/synthesize';
import type { RehearsalResult } from './lib/mock-apply';
import { rehearseStack } from './lib/mock-apply';
import { discoverMirrors } from './lib/terraform';
import { printTable } from './lib/table';

// Two cores here; each terraform process loads the AWS provider schema (about 1 GB of memory at peak).
const CONCURRENCY = 2;

function option(args: readonly string[], name: string): string[] {
  return args.flatMap((arg, index) => (arg === name && args[index + 1] ? [args[index + 1]] : []));
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const keep = args.includes('--keep');
  const [givenOutdir] = option(args, '--outdir');
  const only = option(args, '--stack');
  const workdir = mkdtempSync(join(tmpdir(), 'wms-mock-apply-'));
  try {
    let outdir = givenOutdir;
    let stacks: string[];
    if (outdir) {
      stacks = readdirSync(join(outdir, 'stacks')).sort();
    } else {
      outdir = join(workdir, 'cdktf.out');
      const configs = loadEnvironments({
        configDir: 'config',
        extraFile: process.env.WMS_ENV_FILE || undefined,
      });
      stacks = synthesize(configs, { outdir, backend: 's3' });
    }
    const unknown = only.filter((name) => !stacks.includes(name));
    if (unknown.length > 0) throw new Error(`--stack: no synthesized stack named ${unknown.join(', ')}`);
    if (only.length > 0) stacks = stacks.filter((name) => only.includes(name));

    const mirrors = discoverMirrors(process.env);
    console.log(
      mirrors.length > 0
        ? `provider mirrors: ${mirrors.join(', ')}`
        : 'provider mirrors: none found; no stack can be rehearsed offline',
    );
    const results: RehearsalResult[] = [];
    const queue = [...stacks];
    const root = outdir;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let stack = queue.shift(); stack; stack = queue.shift()) {
          const json: unknown = JSON.parse(readFileSync(join(root, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
          results.push(await rehearseStack(stack, json, workdir, mirrors));
        }
      }),
    );
    results.sort((a, b) => stacks.indexOf(a.stack) - stacks.indexOf(b.stack));
    printTable(
      ['stack', 'resources applied', 'seconds', 'result'],
      results.map((r) => [
        r.stack,
        r.resources === undefined ? '-' : String(r.resources),
        r.seconds === undefined ? '-' : r.seconds.toFixed(1),
        r.result,
      ]),
    );
    for (const r of results.filter((entry) => entry.note)) console.log(`\n${r.stack}: ${r.note}`);
    const failed = results.filter((r) => r.result === 'fail').length;
    const passed = results.filter((r) => r.result === 'pass').length;
    console.log(
      `\n${passed} of ${results.length} stacks applied against mocked providers; ${failed} failed.`,
    );
    if (keep) console.log(`work folder kept: ${workdir}`);
    return failed > 0 ? 1 : 0;
  } finally {
    if (!keep) rmSync(workdir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
