/**
 * A tiny evaluator of role trust policies, enough for the GitHub OIDC roles: does a web-identity token with these
 * claims, from this federated principal, get `sts:AssumeRoleWithWebIdentity`? It knows the StringEquals and
 * StringLike operators (IAM semantics: case-sensitive; within one key any value may match, every key and every
 * operator must match; a missing claim never matches) and refuses any other operator rather than guess.
 */

/** A token's claims as IAM sees them, by condition key, e.g. `token.actions.githubusercontent.com:sub`. */
export type Claims = Readonly<Record<string, string>>;

interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: { readonly Federated?: string | readonly string[] } | '*';
  readonly Action?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

const list = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T];

/** IAM's StringLike: `*` matches any run of characters, `?` exactly one; everything else literally. */
export function stringLike(pattern: string, value: string): boolean {
  const regex = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`, 's').test(value);
}

function conditionHolds(operator: string, key: string, values: readonly string[], claims: Claims): boolean {
  const claim = claims[key];
  if (claim === undefined) return false;
  switch (operator) {
    case 'StringEquals':
      return values.includes(claim);
    case 'StringLike':
      return values.some((pattern) => stringLike(pattern, claim));
    default:
      throw new Error(`trust-policy evaluator: condition operator ${operator} is not supported`);
  }
}

function matches(statement: Statement, principal: string, claims: Claims): boolean {
  const principals = statement.Principal === '*' ? ['*'] : list(statement.Principal?.Federated);
  if (!principals.includes(principal) && !principals.includes('*')) return false;
  if (!list(statement.Action).includes('sts:AssumeRoleWithWebIdentity')) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, block]) =>
    Object.entries(block).every(([key, values]) => conditionHolds(operator, key, list(values), claims)),
  );
}

/**
 * Whether a token with `claims`, presented through the OIDC provider `principal`, may assume the role: some Allow
 * statement matches and no Deny statement does.
 * @param policy the trust policy, as JSON text or parsed
 */
export function mayAssume(policy: string | object, principal: string, claims: Claims): boolean {
  const document = (typeof policy === 'string' ? JSON.parse(policy) : policy) as {
    Statement: Statement | readonly Statement[];
  };
  const statements = list(document.Statement);
  if (statements.some((s) => s.Effect === 'Deny' && matches(s, principal, claims))) return false;
  return statements.some((s) => s.Effect === 'Allow' && matches(s, principal, claims));
}

const HOST = 'token.actions.githubusercontent.com';

/** The claims of a GitHub Actions token as IAM evaluates them: its `sub` and `aud`. */
export function githubClaims(sub: string, aud = 'sts.amazonaws.com'): Claims {
  return { [`${HOST}:sub`]: sub, [`${HOST}:aud`]: aud };
}
