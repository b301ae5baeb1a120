/**
 * The cdktf app: loads and validates every environment, synthesizes their stacks, checks them with the
 * guardrails, and only then writes them into cdktf.out.
 * The only file that reads the process environment.
 *
 * - WMS_ENV_FILE: an extra environment file (YAML or JSON), validated like config/*.yaml.
 * - WMS_BACKEND: `s3` (default) or `local` (state files under terraform-state/, for offline work).
 * - CDKTF_OUTDIR: set by the cdktf CLI; defaults to cdktf.out.
 */
import { ConfigError, loadEnvironments } from './config/load';
import { commandLine } from './scripts/lib/cli';
import type { BackendKind } from './stacks/environment-stack';
import { OutputLockedError } from './assembly/output-publisher';

const USAGE = `Usage: npm run synth

Loads and validates every environment (config/*.yaml, plus WMS_ENV_FILE), synthesizes their stacks, checks
them with the guardrails, and only then publishes them into cdktf.out (atomically, under a lock).

Environment:
  WMS_ENV_FILE   an extra environment file (YAML or JSON, at most 1 MiB), validated like config/*.yaml
  WMS_BACKEND    s3 (default) or local (state files under terraform-state/, for offline work)
  CDKTF_OUTDIR   the output folder (set by the cdktf CLI; default cdktf.out)

--help    print this help

Exit codes: 0 published; 1 invalid configuration, guardrails findings, or cdktf.out locked by another synth.
`;

async function main(): Promise<void> {
  commandLine('synth', { usage: USAGE, options: {} });
  const backend = process.env.WMS_BACKEND ?? 's3';
  if (backend !== 's3' && backend !== 'local') {
    throw new ConfigError([`WMS_BACKEND: "${backend}" is not allowed (one of "s3", "local")`]);
  }
  const configs = loadEnvironments({ configDir: 'config', extraFile: process.env.WMS_ENV_FILE || undefined });
  // Loaded only now (cdktf and the providers take seconds to load), so that --help and config errors are instant.
  const { synthesize } = await import('./assembly/synthesize');
  const stacks = synthesize(configs, {
    outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out',
    backend: backend as BackendKind,
  });
  console.log(`synthesized ${stacks.length} stacks: ${stacks.join(', ')}`);
}

main().catch((error: unknown) => {
  const expected =
    error instanceof ConfigError ||
    error instanceof OutputLockedError ||
    (error instanceof Error && error.name === 'GuardrailsFailure');
  process.stderr.write(`${expected ? (error as Error).message : String((error as Error).stack)}\n`);
  process.exit(1);
});
