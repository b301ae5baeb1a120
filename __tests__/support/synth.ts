import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';

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
