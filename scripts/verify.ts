/**
 * `npm run verify`: synthesizes every stack, then runs the real Terraform CLI on each (scripts/lib/verify.ts):
 * `terraform init`, `terraform validate`, and a plan: a real `terraform plan -refresh=false` with a local backend and
 * placeholder credentials for the stacks that need nothing more, a plan against mocked providers and mocked remote
 * state for the stacks that read other stacks' state or talk to the cluster. Prints a table, says why each stack
 * it cannot verify is not verified (its providers are neither mirrored nor downloadable here), and exits non-zero
 * only if a stack fails: never for want of credentials.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { printTable } from './lib/table';
import { discoverMirrors } from '../terraform/terraform';
import type { VerifyResult } from './lib/verify';
import { verifyStack } from './lib/verify';

const USAGE = `Usage: npm run verify -- [options]

Synthesizes every stack and verifies each with the real Terraform CLI (init, validate, plan; mocked plan for
stacks that read remote state or talk to the cluster). Exit 0 when no stack fails, 1 when one fails, 2 on bad
options.

Options:
  --keep   keep the work folder (printed) for inspection
  --help   print this and exit`;

const CONCURRENCY = 2;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { keep: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const keep = values.keep;
  const workdir = mkdtempSync(join(tmpdir(), 'wms-verify-'));
  try {
    const outdir = join(workdir, 'cdktf.out');
    // Loaded only now (cdktf and the providers take a second of CPU to load), so that --help and bad options are
    // instant.
    const { loadEnvironments } = await import('../config/load');
    const { synthesize } = await import('../assembly/synthesize');
    const configs = loadEnvironments({
      configDir: 'config',
      extraFile: process.env.WMS_ENV_FILE || undefined,
    });
    const stacks = synthesize(configs, { outdir, backend: 's3' });
    const mirrors = discoverMirrors(process.env);
    console.log(
      mirrors.length > 0
        ? `provider mirrors: ${mirrors.join(', ')}`
        : 'provider mirrors: none found; providers come from their registries',
    );

    const results: VerifyResult[] = [];
    const queue = [...stacks];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let stack = queue.shift(); stack; stack = queue.shift()) {
          const json: unknown = JSON.parse(
            readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'),
          );
          results.push(await verifyStack(stack, json, workdir, mirrors));
        }
      }),
    );
    results.sort((a, b) => stacks.indexOf(a.stack) - stacks.indexOf(b.stack));
    printTable(
      ['stack', 'providers', 'validated', 'planned', 'resources', 'seconds'],
      results.map((r) => [r.stack, r.providers, r.validated, r.planned, r.resources, r.seconds]),
    );
    for (const r of results.filter((entry) => entry.note)) console.log(`\n${r.stack}: ${r.note}`);
    const failed = results.filter((r) => r.failed);
    const planned = results.filter((r) => r.planned === 'yes').length;
    const mocked = results.filter((r) => r.planned === 'mocked').length;
    const skipped = results.filter((r) => r.validated === '-').length;
    console.log(
      `\n${planned + mocked} of ${results.length} stacks validated and planned (${planned} for real, ${mocked} against mocks); ${skipped} not verifiable here; ${failed.length} failed.`,
    );
    if (keep) console.log(`work folder kept: ${workdir}`);
    return failed.length > 0 ? 1 : 0;
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
