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
import type { BackendKind } from './stacks/environment-stack';
import { GuardrailsFailure, synthesize } from './assembly/synthesize';

function main(): void {
  const backend = process.env.WMS_BACKEND ?? 's3';
  if (backend !== 's3' && backend !== 'local') {
    throw new ConfigError([`WMS_BACKEND: "${backend}" is not allowed (one of "s3", "local")`]);
  }
  const configs = loadEnvironments({ configDir: 'config', extraFile: process.env.WMS_ENV_FILE || undefined });
  const stacks = synthesize(configs, {
    outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out',
    backend: backend as BackendKind,
  });
  console.log(`synthesized ${stacks.length} stacks: ${stacks.join(', ')}`);
}

try {
  main();
} catch (error) {
  const expected = error instanceof ConfigError || error instanceof GuardrailsFailure;
  process.stderr.write(`${expected ? (error as Error).message : String((error as Error).stack)}\n`);
  process.exit(1);
}
