/**
 * `npm run mock-apply`: the apply rehearsal. Synthesizes every stack (or reads an existing cdktf.out), and for each
 * stack whose providers are available (in a local mirror, or downloadable from their registry) runs `terraform init`
 * and `terraform test` with a generated `tests/apply.tftest.hcl` that mocks every provider and every remote state
 * the stack reads, and applies the whole stack: the dependency graph, every reference and the values the provider
 * validates at apply time are exercised without credentials. Prints a table (stack, resources applied, seconds,
 * result), says why each other stack is not rehearsed, and exits non-zero if any rehearsal fails.
 *
 * Options: `--outdir <dir>` rehearses an already synthesized cdktf.out instead of synthesizing; `--stack <name>`
 * (repeatable) rehearses only these stacks; `--keep` keeps the work folder (printed) for inspection.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RehearsalResult } from '../terraform/mock-apply';
import { rehearseStack } from '../terraform/mock-apply';
import { discoverMirrors } from '../terraform/terraform';
import { printTable } from './lib/table';

const USAGE = `Usage: npm run mock-apply -- [options]

Applies every stack whose providers are available against mocked providers and mocked remote state
(terraform test). Exit 0 when no rehearsal fails, 1 when one fails, 2 on bad options.

Options:
  --outdir <dir>   rehearse an already synthesized cdktf.out instead of synthesizing
  --stack <name>   rehearse only this stack (repeatable)
  --keep           keep the work folder (printed) for inspection
  --help           print this and exit`;

// Two cores here; each terraform process loads the AWS provider schema (about 1 GB of memory at peak).
const CONCURRENCY = 2;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      outdir: { type: 'string' },
      stack: { type: 'string', multiple: true, default: [] },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { keep, outdir: givenOutdir, stack: only } = values;
  const workdir = mkdtempSync(join(tmpdir(), 'wms-mock-apply-'));
  try {
    let outdir = givenOutdir;
    let stacks: string[];
    if (outdir) {
      stacks = readdirSync(join(outdir, 'stacks')).sort();
    } else {
      outdir = join(workdir, 'cdktf.out');
      // Loaded only now (cdktf and the providers take a second of CPU to load), so that --help and bad options are
      // instant.
      const { loadEnvironments } = await import('../config/load');
      const { synthesize } = await import('../assembly/synthesize');
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
        : 'provider mirrors: none found; providers come from their registries',
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
    const usage = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(error instanceof Error ? error.message : error);
    if (usage) console.error(`\n${USAGE}`);
    process.exit(usage ? 2 : 1);
  },
);
