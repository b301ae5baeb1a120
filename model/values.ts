/** A JSON object as read from a synthesized stack: keys are Terraform's snake_case attribute names. */
export type JsonObject = Record<string, unknown>;

/** The value of a boolean, number or string attribute once Terraform-JSON quirks are normalised. */
export type Known<T> = { readonly kind: 'known'; readonly value: T };
/** An attribute whose value is only known at apply time: a `${...}` expression. */
export type Unresolved = { readonly kind: 'unresolved'; readonly expression: string };
/** An attribute that is absent or null. */
export type Missing = { readonly kind: 'missing' };
/** The three states an attribute can be in; rules decide what each means. */
export type AttributeValue<T> = Known<T> | Unresolved | Missing;

const MISSING: Missing = { kind: 'missing' };

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a string that contains a Terraform `${...}` expression (cdktf renders tokens that way). */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.includes('${');
}

/**
 * The blocks of a nested block attribute as a list.
 *
 * cdktf renders a single nested block as an object in some resources and as a one-element array in others, and
 * Terraform JSON accepts both, so every rule reads blocks through this function.
 */
export function blocks(value: unknown): JsonObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** The first block of a nested block attribute, or undefined. */
export function firstBlock(value: unknown): JsonObject | undefined {
  return blocks(value)[0];
}

/** Follows a path of nested blocks, taking the first block at every step. */
export function blockAt(value: unknown, ...path: string[]): JsonObject | undefined {
  let current = firstBlock(value);
  for (const key of path) {
    if (!current) return undefined;
    current = firstBlock(current[key]);
  }
  return current;
}

/** A boolean attribute; accepts the JSON booleans and the strings "true"/"false" some provider attributes use. */
export function boolAttr(value: unknown): AttributeValue<boolean> {
  if (value === undefined || value === null) return MISSING;
  if (typeof value === 'boolean') return { kind: 'known', value };
  if (value === 'true' || value === 'false') return { kind: 'known', value: value === 'true' };
  if (isExpression(value)) return { kind: 'unresolved', expression: value };
  return { kind: 'known', value: Boolean(value) };
}

/** A number attribute; accepts numbers and numeric strings. */
export function numberAttr(value: unknown): AttributeValue<number> {
  if (value === undefined || value === null || value === '') return MISSING;
  if (typeof value === 'number') return { kind: 'known', value };
  if (isExpression(value)) return { kind: 'unresolved', expression: value };
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return { kind: 'known', value: Number(value) };
  }
  return MISSING;
}

/** A string attribute; an empty string counts as missing. */
export function stringAttr(value: unknown): AttributeValue<string> {
  if (value === undefined || value === null || value === '') return MISSING;
  if (isExpression(value)) return { kind: 'unresolved', expression: value };
  if (typeof value === 'string') return { kind: 'known', value };
  if (typeof value === 'number' || typeof value === 'boolean') return { kind: 'known', value: String(value) };
  return MISSING;
}

/**
 * A list-of-strings attribute (a single string is read as a one-element list).
 *
 * Returns unresolved when the whole list is one expression (e.g. `${var.cidrs}`); elements that are expressions are
 * kept as strings so a rule can treat them as "set".
 */
export function stringListAttr(value: unknown): AttributeValue<string[]> {
  if (value === undefined || value === null) return MISSING;
  if (typeof value === 'string') {
    return isExpression(value)
      ? { kind: 'unresolved', expression: value }
      : { kind: 'known', value: [value] };
  }
  if (Array.isArray(value)) {
    return { kind: 'known', value: value.filter((item): item is string => typeof item === 'string') };
  }
  return MISSING;
}

/** True when an attribute has a non-empty value (an expression counts: it is set, its value comes later). */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** Renders a value for a finding message: strings quoted, objects as compact JSON, cut at 80 characters. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
