import type { Violation } from '../types';
import type { JsonObject } from '../../model/values';
import { boolAttr, isPresent, numberAttr, show, stringAttr } from '../../model/values';

/** No violations. */
export const PASS: readonly Violation[] = [];

/** A single violation. */
export function fail(message: string, fix?: string): Violation[] {
  return [fix ? { message, fix } : { message }];
}

/**
 * Requires a boolean attribute to have a value; missing counts as the provider default (`whenMissing`).
 * An expression passes: its value is only known at apply time.
 */
export function requireBool(
  body: JsonObject,
  attribute: string,
  expected: boolean,
  subject: string,
  whenMissing?: boolean,
): Violation[] {
  const value = boolAttr(body[attribute]);
  if (value.kind === 'unresolved') return [];
  if (value.kind === 'missing') {
    if (whenMissing === expected) return [];
    const suffix = whenMissing === undefined ? '' : ` (the provider default is ${whenMissing})`;
    return fail(`${subject}: ${attribute} is missing${suffix}, must be ${expected}`);
  }
  return value.value === expected
    ? []
    : fail(`${subject}: ${attribute} is ${show(body[attribute])}, must be ${expected}`);
}

/** Requires an attribute to be present and non-empty (an expression counts as present). */
export function requirePresent(
  body: JsonObject,
  attribute: string,
  subject: string,
  what?: string,
): Violation[] {
  if (isPresent(body[attribute])) return [];
  return fail(`${subject}: ${attribute} is missing${what ? ` (${what})` : ''}`);
}

/** Requires a number attribute to be at least `minimum`; missing fails unless `whenMissing` satisfies it. */
export function requireAtLeast(
  body: JsonObject,
  attribute: string,
  minimum: number,
  subject: string,
  whenMissing?: number,
): Violation[] {
  const value = numberAttr(body[attribute]);
  if (value.kind === 'unresolved') return [];
  if (value.kind === 'missing') {
    if (whenMissing !== undefined && whenMissing >= minimum) return [];
    const suffix = whenMissing === undefined ? '' : ` (the provider default is ${whenMissing})`;
    return fail(`${subject}: ${attribute} is missing${suffix}, must be at least ${minimum}`);
  }
  return value.value >= minimum
    ? []
    : fail(`${subject}: ${attribute} is ${show(body[attribute])}, must be at least ${minimum}`);
}

/** Requires a string attribute to be one of `allowed`; missing fails unless `whenMissing` is allowed. */
export function requireOneOf(
  body: JsonObject,
  attribute: string,
  allowed: readonly string[],
  subject: string,
  whenMissing?: string,
): Violation[] {
  const value = stringAttr(body[attribute]);
  if (value.kind === 'unresolved') return [];
  const quoted = allowed.map((item) => `"${item}"`);
  const expected = quoted.length > 2 ? `one of ${quoted.join(', ')}` : quoted.join(' or ');
  if (value.kind === 'missing') {
    if (whenMissing !== undefined && allowed.includes(whenMissing)) return [];
    const suffix = whenMissing === undefined ? '' : ` (the provider default is "${whenMissing}")`;
    return fail(`${subject}: ${attribute} is missing${suffix}, must be ${expected}`);
  }
  return allowed.includes(value.value)
    ? []
    : fail(`${subject}: ${attribute} is ${show(value.value)}, must be ${expected}`);
}
