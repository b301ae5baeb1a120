/**
 * Small composable validators for the environment schema.
 *
 * Each validator checks one value, appends every problem it finds to `problems` (never throws, never stops at
 * the first), and returns the typed value or undefined. Messages follow one format:
 * `<field path>: <value received> <what is wrong> (<what is allowed>)`.
 */

/** Checks `value` found at `path`; records problems and returns the value when it is valid. */
export type Validator<T> = ((value: unknown, path: string, problems: string[]) => T | undefined) & {
  /** What is allowed, for the generated reference (README's environment-file table). */
  readonly allowed?: string;
  /** The properties of an object validator, for the generated reference. */
  readonly fields?: Readonly<
    Record<string, { readonly optional: boolean; readonly validate: Validator<unknown> }>
  >;
};

function described<T>(validate: Validator<T>, allowed: string): Validator<T> {
  return Object.assign(validate, { allowed });
}

/** A validator for an object property, with whether the property may be left out. */
interface Field<T> {
  readonly validate: Validator<T>;
  readonly optional: boolean;
}

/** Renders a received value for a message: strings quoted, objects as JSON, at most 80 characters. */
export function show(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** A string matching `pattern`; `allowed` describes valid values for the message. */
export function text(pattern: RegExp, allowed: string): Validator<string> {
  return described((value, path, problems) => {
    if (typeof value !== 'string') {
      problems.push(`${path}: ${show(value)} is ${typeName(value)}, expected a string (${allowed})`);
      return undefined;
    }
    if (!pattern.test(value)) {
      problems.push(`${path}: ${show(value)} is not valid (${allowed})`);
      return undefined;
    }
    return value;
  }, allowed);
}

/** One of a fixed set of strings or numbers. */
export function oneOf<T extends string | number>(...values: readonly T[]): Validator<T> {
  const allowed = `one of ${values.map((v) => show(v)).join(', ')}`;
  return described((value, path, problems) => {
    if ((values as readonly unknown[]).includes(value)) return value as T;
    problems.push(`${path}: ${show(value)} is not allowed (${allowed})`);
    return undefined;
  }, allowed);
}

/** A whole number within [min, max]. */
export function integer(min: number, max: number): Validator<number> {
  return described((value, path, problems) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`${path}: ${show(value)} is not allowed (a whole number from ${min} to ${max})`);
      return undefined;
    }
    return value;
  }, `a whole number from ${min} to ${max}`);
}

/** A number within [min, max], in steps of `step`. */
export function decimal(min: number, max: number, step: number): Validator<number> {
  return described((value, path, problems) => {
    const onStep = typeof value === 'number' && Number.isInteger(Math.round((value / step) * 1e6) / 1e6);
    if (typeof value !== 'number' || value < min || value > max || !onStep) {
      problems.push(
        `${path}: ${show(value)} is not allowed (a number from ${min} to ${max} in steps of ${step})`,
      );
      return undefined;
    }
    return value;
  }, `a number from ${min} to ${max} in steps of ${step}`);
}

/** true or false. */
export const boolean: Validator<boolean> = described((value, path, problems) => {
  if (typeof value === 'boolean') return value;
  problems.push(`${path}: ${show(value)} is ${typeName(value)}, expected true or false`);
  return undefined;
}, 'true or false');

/** A list of items, with a minimum and maximum length. */
export function list<T>(item: Validator<T>, minItems: number, maxItems: number): Validator<readonly T[]> {
  return described(
    (value, path, problems) => {
      if (!Array.isArray(value)) {
        problems.push(`${path}: ${show(value)} is ${typeName(value)}, expected a list`);
        return undefined;
      }
      if (value.length < minItems || value.length > maxItems) {
        problems.push(`${path}: has ${value.length} items (allowed: ${minItems} to ${maxItems})`);
      }
      const before = problems.length;
      const items = value.map((entry, index) => item(entry, `${path}[${index}]`, problems));
      return problems.length === before ? (items as T[]) : undefined;
    },
    `a list of ${minItems} to ${maxItems}, each ${item.allowed ?? 'valid'}`,
  );
}

/** A string-to-string map whose keys match `keyPattern`. */
export function stringMap(keyPattern: RegExp, allowed: string): Validator<Readonly<Record<string, string>>> {
  return (value, path, problems) => {
    if (!isPlainObject(value)) {
      problems.push(`${path}: ${show(value)} is ${typeName(value)}, expected a map of strings`);
      return undefined;
    }
    const before = problems.length;
    for (const [key, entry] of Object.entries(value)) {
      if (!keyPattern.test(key)) problems.push(`${path}.${key}: key is not valid (${allowed})`);
      if (typeof entry !== 'string') problems.push(`${path}.${key}: ${show(entry)} is not a string`);
    }
    return problems.length === before ? (value as Record<string, string>) : undefined;
  };
}

/** A required property. */
export function required<T>(validate: Validator<T>): Field<T> {
  return { validate, optional: false };
}

/** A property that may be left out; it is then undefined. */
export function optional<T>(validate: Validator<T>): Field<T | undefined> {
  return { validate, optional: true };
}

/** Unknown fields reported one by one per object; the rest are counted. */
const MAX_UNKNOWN_REPORTED = 20;

type Shape<T> = { readonly [K in keyof T]-?: Field<T[K]> };

/**
 * An object with exactly the given properties: unknown keys, missing required keys and every invalid property
 * are all reported.
 */
export function object<T>(shape: Shape<T>): Validator<T> {
  const keys = Object.keys(shape) as (keyof T & string)[];
  const validate: Validator<T> = (value, path, problems) => {
    const at = (key: string) => (path ? `${path}.${key}` : key);
    if (!isPlainObject(value)) {
      problems.push(`${path || '(file)'}: ${show(value)} is ${typeName(value)}, expected an object`);
      return undefined;
    }
    const before = problems.length;
    const unknown = Object.keys(value).filter((key) => !(keys as string[]).includes(key));
    for (const key of unknown.slice(0, MAX_UNKNOWN_REPORTED)) {
      problems.push(`${at(key)}: unknown field (allowed here: ${keys.join(', ')})`);
    }
    if (unknown.length > MAX_UNKNOWN_REPORTED) {
      problems.push(
        `${path || '(file)'}: ... and ${unknown.length - MAX_UNKNOWN_REPORTED} more unknown fields`,
      );
    }
    const result: Partial<T> = {};
    for (const key of keys) {
      const field = shape[key];
      const entry = value[key];
      if (entry === undefined) {
        if (!field.optional) problems.push(`${at(key)}: missing (required)`);
        continue;
      }
      result[key] = field.validate(entry, at(key), problems) as T[typeof key];
    }
    return problems.length === before ? (result as T) : undefined;
  };
  return Object.assign(validate, { fields: shape as Validator<T>['fields'] });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
