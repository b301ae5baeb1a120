/**
 * Structural comparison of two attribute bodies of a synthesized resource: nested blocks are followed key by key,
 * lists are aligned on their unchanged elements, IAM policy documents are compared statement by statement and
 * multi-line strings line by line.
 */
import { isObject } from '../model/values';
import type { AttributeChange } from './model';

/** JSON with object keys sorted, so equal values give equal text whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

/** True when two JSON values are equal (object key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/**
 * The statements of an IAM policy document given as a JSON string (cdktf renders `${...}` tokens inside its
 * strings) or an object; undefined for anything else.
 */
export function policyStatements(value: unknown): unknown[] | undefined {
  let document: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (!text.startsWith('{')) return undefined;
    try {
      document = JSON.parse(text);
    } catch {
      // Not JSON, so not a policy document: the caller compares it as a plain string.
      return undefined;
    }
  }
  if (!isObject(document) || document.Statement === undefined) return undefined;
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Appends a key to a path: `a.b`, or `a["alb.ingress.kubernetes.io/scheme"]` for keys that need quoting. */
export function childPath(path: string, key: string): string {
  if (PLAIN_KEY.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** A path without list indices, as the replacement table spells it: `vpc_config[0].subnet_ids[2]` -> `vpc_config.subnet_ids`. */
export function schemaPath(path: string): string {
  return path.replace(/\[\d+\]/g, '');
}

/** Pairs of indices of the longest common subsequence of two lists of keys. */
function commonSubsequence(before: readonly string[], after: readonly string[]): [number, number][] {
  const rows = before.length + 1;
  const cols = after.length + 1;
  const lengths = new Array<number>(rows * cols).fill(0);
  for (let i = before.length - 1; i >= 0; i -= 1) {
    for (let j = after.length - 1; j >= 0; j -= 1) {
      lengths[i * cols + j] =
        before[i] === after[j]
          ? lengths[(i + 1) * cols + j + 1] + 1
          : Math.max(lengths[(i + 1) * cols + j], lengths[i * cols + j + 1]);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < before.length && j < after.length) {
    if (before[i] === after[j]) {
      pairs.push([i, j]);
      i += 1;
      j += 1;
    } else if (lengths[(i + 1) * cols + j] >= lengths[i * cols + j + 1]) {
      i += 1;
    } else {
      j += 1;
    }
  }
  return pairs;
}

/** The items only in `before` and only in `after`, aligned on their longest common subsequence. */
export function listDelta<T>(
  before: readonly T[],
  after: readonly T[],
  key: (item: T) => string = canonical,
): { removed: { index: number; item: T }[]; added: { index: number; item: T }[] } {
  const pairs = commonSubsequence(before.map(key), after.map(key));
  const keptBefore = new Set(pairs.map(([i]) => i));
  const keptAfter = new Set(pairs.map(([, j]) => j));
  return {
    removed: before.flatMap((item, index) => (keptBefore.has(index) ? [] : [{ index, item }])),
    added: after.flatMap((item, index) => (keptAfter.has(index) ? [] : [{ index, item }])),
  };
}

function diffLists(path: string, before: readonly unknown[], after: readonly unknown[]): AttributeChange[] {
  const pairs = commonSubsequence(before.map(canonical), after.map(canonical));
  const changes: AttributeChange[] = [];
  let i = 0;
  let j = 0;
  for (const [nextI, nextJ] of [...pairs, [before.length, after.length] as [number, number]]) {
    // Between two unchanged elements: pair the removed and added ones by position (a changed element), and
    // report the rest as removed or added.
    const removed = before.slice(i, nextI);
    const added = after.slice(j, nextJ);
    const paired = Math.min(removed.length, added.length);
    for (let k = 0; k < paired; k += 1)
      changes.push(...diffValues(`${path}[${j + k}]`, removed[k], added[k]));
    for (let k = paired; k < removed.length; k += 1)
      changes.push({ path: `${path}[${i + k}]`, before: removed[k] });
    for (let k = paired; k < added.length; k += 1)
      changes.push({ path: `${path}[${j + k}]`, after: added[k] });
    i = nextI + 1;
    j = nextJ + 1;
  }
  return changes;
}

function leaf(path: string, before: unknown, after: unknown): AttributeChange {
  const beforeStatements = policyStatements(before);
  const afterStatements = policyStatements(after);
  if (beforeStatements && afterStatements) {
    const delta = listDelta(beforeStatements, afterStatements);
    return {
      path,
      before,
      after,
      policy: {
        added: delta.added.map((s) => canonical(s.item)),
        removed: delta.removed.map((s) => canonical(s.item)),
      },
    };
  }
  if (
    typeof before === 'string' &&
    typeof after === 'string' &&
    (before.includes('\n') || after.includes('\n'))
  ) {
    const delta = listDelta(before.split('\n'), after.split('\n'), (line) => line);
    return {
      path,
      before,
      after,
      lines: { added: delta.added.map((l) => l.item), removed: delta.removed.map((l) => l.item) },
    };
  }
  return { path, before, after };
}

/**
 * The differences between two values at `path`, as leaf changes: objects are compared key by key (keys sorted),
 * lists element by element after aligning unchanged elements, anything else as one change. Absent and `null` are
 * the same (Terraform treats a null attribute as unset).
 */
export function diffValues(path: string, before: unknown, after: unknown): AttributeChange[] {
  const b = before === null ? undefined : before;
  const a = after === null ? undefined : after;
  if (deepEqual(b, a)) return [];
  if (isObject(b) && isObject(a)) {
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    return keys.flatMap((key) => diffValues(childPath(path, key), b[key], a[key]));
  }
  if (Array.isArray(b) && Array.isArray(a)) return diffLists(path, b, a);
  return [leaf(path, b, a)];
}

/** The longest value a report prints before cutting it. */
export const MAX_VALUE_LENGTH = 200;

/** Renders a value for people: JSON (strings quoted), cut at `max` characters; `(absent)` for no value. */
export function display(value: unknown, max: number = MAX_VALUE_LENGTH): string {
  if (value === undefined || value === null) return '(absent)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
