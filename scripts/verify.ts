/**
 * `npm run verify`: synthesizes every stack, then runs the real Terraform CLI on each stack whose providers are
 * available here: `terraform init` (from a local provider mirror when there is one), `terraform validate`, and
 * `terraform plan -refresh=false` with a local backend and placeholder credentials. Prints a table, says why each
 * stack it cannot verify is not verified, and exits non-zero if any verifiable stack fails.
 *
 * Options: `--keep` keeps the work folder (printed) for inspection.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironments } from '../config/load';
import { printTable } from './lib/table';
import { synthesize } from '../assembly/synthesize';
import type { ProviderRequirement } from './lib/terraform';
import {
  cliConfig,
  discoverMirrors,
  isolatedEnv,
  mirrorFor,
  offlineOverride,
  requiredProviders,
  terraform,
} from './lib/terraform';

interface StackResult {
  readonly stack: string;
  readonly providers: string;
  readonly validated: string;
  readonly planned: string;
  readonly resources: string;
  readonly seconds: string;
  readonly failed: boolean;
  readonly note?: string;
}

const CONCURRENCY = 2;

async function verifyStack(
  stack: string,
  outdir: string,
  workdir: string,
  mirrors: readonly string[],
): Promise<StackResult> {
  const started = Date.now();
  const json: unknown = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
  const providers = requiredProviders(json);
  const providerList = providers.map((p) => `${p.name} ${p.version}`).join(', ');
  const mirrored = new Map<string, string>();
  const unmirrored: ProviderRequirement[] = [];
  for (const provider of providers) {
    const mirror = mirrorFor(mirrors, provider);
    if (mirror) mirrored.set(provider.source, mirror);
    else unmirrored.push(provider);
  }

  const dir = join(workdir, stack);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'zz_offline_override.tf.json'), JSON.stringify(offlineOverride(json), null, 2));
  writeFileSync(join(dir, 'cli.tfrc'), cliConfig(mirrored));
  const env = isolatedEnv(join(dir, 'cli.tfrc'));
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  const result = (validated: string, planned: string, resources: string, failed: boolean, note?: string) => ({
    stack,
    providers: providerList,
    validated,
    planned,
    resources,
    seconds: seconds(),
    failed,
    note,
  });

  const init = await terraform(['init', '-input=false', '-no-color'], dir, env);
  if (init.code !== 0) {
    if (unmirrored.length > 0 && mirrors.length > 0) {
      const missing = unmirrored.map((p) => `${p.source} ${p.version}`).join(', ');
      return result(
        '-',
        '-',
        '-',
        false,
        `not verifiable here: ${missing} not in a local mirror and the registry is unreachable`,
      );
    }
    return result('no', '-', '-', true, `terraform init failed:\n${init.stderr || init.stdout}`);
  }
  const validate = await terraform(['validate', '-no-color'], dir, env);
  if (validate.code !== 0)
    return result('no', '-', '-', true, `terraform validate failed:\n${validate.stderr}`);
  const plan = await terraform(
    ['plan', '-refresh=false', '-lock=false', '-input=false', '-no-color', '-out=plan.bin'],
    dir,
    env,
  );
  if (plan.code !== 0) return result('yes', 'no', '-', true, `terraform plan failed:\n${plan.stderr}`);
  const show = await terraform(['show', '-json', 'plan.bin'], dir, env);
  const changes =
    (JSON.parse(show.stdout) as { resource_changes?: { change: { actions: string[] } }[] })
      .resource_changes ?? [];
  const creates = changes.filter((c) => c.change.actions.includes('create')).length;
  return result('yes', 'yes', `${creates} to add`, false);
}

async function main(): Promise<number> {
  const keep = process.argv.includes('--keep');
  const workdir = mkdtempSync(join(tmpdir(), 'wms-verify-'));
  try {
    const outdir = join(workdir, 'cdktf.out');
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

    const results: StackResult[] = [];
    const queue = [...stacks];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let stack = queue.shift(); stack; stack = queue.shift()) {
          results.push(await verifyStack(stack, outdir, workdir, mirrors));
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
    const verified = results.filter((r) => r.planned === 'yes').length;
    console.log(`\n${verified} of ${results.length} stacks validated and planned; ${failed.length} failed.`);
    if (keep) console.log(`work folder kept: ${workdir}`);
    return failed.length > 0 ? 1 : 0;
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
