import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../assembly/synthesize';
import { committedEnvironments } from './environments';
import { synthesizeOnce } from './shared-app';
import type { SynthesizedStack } from './synth';

// The whole app (every stack, every provider: 30 MB of JavaScript to load) in its own module, apart from the small
// helpers of support/synth.ts, so that a construct test loads only the constructs and provider resources it uses.

let appStacks: Record<string, SynthesizedStack> | undefined;

/**
 * Every stack of the committed environments, synthesized as `npm run synth` does (whole app, cross-stack
 * references resolved, guardrails checked), parsed. Synthesized once per jest run and shared by the test files
 * (support/shared-app.ts); parsed once per test file.
 */
export function synthesizedAppStacks(): Record<string, SynthesizedStack> {
  if (!appStacks) {
    let fallback: string | undefined;
    try {
      const outdir = synthesizeOnce(
        (dir) => synthesize(committedEnvironments(), { outdir: dir, backend: 's3' }),
        () => join((fallback = mkdtempSync(join(tmpdir(), 'wms-app-'))), 'cdktf.out'),
      );
      const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
        stacks: Record<string, unknown>;
      };
      appStacks = Object.fromEntries(
        Object.keys(manifest.stacks)
          .sort()
          .map((name) => [
            name,
            JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')) as SynthesizedStack,
          ]),
      );
    } finally {
      if (fallback) rmSync(fallback, { recursive: true, force: true });
    }
  }
  return appStacks;
}
