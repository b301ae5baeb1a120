import type { IConstruct } from 'constructs';

/**
 * The error a construct throws when one of its props breaks an invariant: the construct path, the prop, the
 * value received and what is allowed, in the same format as config validation.
 */
export function propError(scope: IConstruct, prop: string, value: unknown, allowed: string): Error {
  return new Error(`${scope.node.path}: ${prop}: ${JSON.stringify(value)} is not allowed (${allowed})`);
}
