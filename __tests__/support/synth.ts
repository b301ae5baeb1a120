import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { synthesize } from '../../assembly/synthesize';
import { committedEnvironments } from './environments';
import { synthesizeOnce } from './shared-app';

/** A synthesized stack, parsed. */
export interface SynthesizedStack {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly [key: string]: unknown;
}

/** Synthesizes a stack with validations on, and parses the JSON. */
export function synthJson(stack: TerraformStack): SynthesizedStack {
  return JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
}

/** Every resource of a type, by logical id. */
export function resourcesOfType(
  json: SynthesizedStack,
  type: string,
): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

/** The resources of a type as a list. */
export function listOfType(json: SynthesizedStack, type: string): Record<string, unknown>[] {
  return Object.values(resourcesOfType(json, type));
}

/** An empty stack with an AWS provider, to put a construct under test in. */
export function awsTestStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'Aws', { region: 'eu-west-1' });
  return stack;
}

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

/** A copy without cdktf's `"//"` metadata and the volatile `terraform` block, for snapshots. */
export function stableForSnapshot(stack: SynthesizedStack): unknown {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([key]) => key !== '//')
          .map(([key, entry]) => [key, strip(entry)]),
      );
    }
    return value;
  };
  const { terraform: _volatile, ...rest } = stack;
  return strip(rest);
}
