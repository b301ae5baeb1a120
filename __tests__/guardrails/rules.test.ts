import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkStack } from '../../guardrails/engine';
import { RULES } from '../../guardrails/rule-pack';

/**
 * Table-driven rule tests in the scanners' style: one fixture file per rule under fixtures/rules/<RULE_ID>.json,
 * each with passing, failing and attribute-missing cases. A case is a partial stack (resource, data, provider)
 * plus the addresses the rule must flag (none for a passing case); the whole pack runs and only the rule under
 * test is looked at, so fixtures need not satisfy the other rules.
 */
interface FixtureCase {
  readonly name: string;
  readonly kind: 'pass' | 'fail' | 'missing';
  /** Defaults to true: the stack's `"//".wms` says production. */
  readonly production?: boolean;
  /** The partial stack; or, for the Kubernetes rules, `workload`. */
  readonly stack?: { resource?: unknown; data?: unknown; provider?: unknown };
  /** A stack of one resource: the compliant workload of fixtures/k8s-workload.json, patched. */
  readonly workload?: WorkloadCase;
  readonly expect: readonly string[];
  /** A regular expression at least one finding message of the rule must match. */
  readonly message?: string;
}

/** RFC 6902 operations, the subset the fixtures use. */
interface PatchOperation {
  readonly op: 'add' | 'replace' | 'remove';
  /** JSON Pointer (RFC 6901) into the resource. */
  readonly path: string;
  readonly value?: unknown;
}

interface WorkloadCase {
  /** @default - the compliant workload's type (kubernetes_deployment_v1) */
  readonly type?: string;
  /** @default - the compliant workload's name (api) */
  readonly name?: string;
  readonly patch: readonly PatchOperation[];
}

interface Fixture {
  readonly rule: string;
  readonly cases: readonly FixtureCase[];
}

const FIXTURES = join(__dirname, 'fixtures', 'rules');
const fixtures: Fixture[] = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Fixture);

/** The one compliant Kubernetes workload the Kubernetes rules' cases patch. */
const WORKLOAD = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'k8s-workload.json'), 'utf8')) as {
  readonly type: string;
  readonly name: string;
  readonly resource: unknown;
};

/** Applies JSON Patch operations to a copy of a document; a path that does not resolve throws. */
function applyPatch(document: unknown, operations: readonly PatchOperation[]): unknown {
  const copy = structuredClone(document);
  for (const operation of operations) {
    const keys = operation.path
      .split('/')
      .slice(1)
      .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
    let target = copy as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) {
      const next = target[key];
      if (next === null || typeof next !== 'object')
        throw new Error(`patch path ${operation.path}: no ${key}`);
      target = next as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    if (operation.op === 'remove') {
      if (!(last in target)) throw new Error(`patch path ${operation.path}: nothing to remove`);
      if (Array.isArray(target)) target.splice(Number(last), 1);
      else delete target[last];
    } else {
      target[last] = structuredClone(operation.value);
    }
  }
  return copy;
}

function caseStack(fixtureCase: FixtureCase): NonNullable<FixtureCase['stack']> {
  const { workload } = fixtureCase;
  if (!workload) return fixtureCase.stack ?? {};
  const resource = applyPatch(WORKLOAD.resource, workload.patch);
  return { resource: { [workload.type ?? WORKLOAD.type]: { [workload.name ?? WORKLOAD.name]: resource } } };
}

function stackJson(fixtureCase: FixtureCase): unknown {
  const production = fixtureCase.production ?? true;
  return {
    '//': {
      metadata: { stackName: 'fixture', version: '0.21.0' },
      wms: { environment: production ? 'prod' : 'dev', production },
    },
    ...caseStack(fixtureCase),
  };
}

describe('rule fixtures', () => {
  it.each(RULES.map((rule) => [rule.id]))(
    '%s has a fixture with passing, failing and attribute-missing cases',
    (id) => {
      // GIVEN the fixture file of the rule
      const fixture = fixtures.find((candidate) => candidate.rule === id);

      // THEN it exists and covers all three kinds
      expect(fixture).toBeDefined();
      const kinds = new Set(fixture?.cases.map((fixtureCase) => fixtureCase.kind));
      expect([...kinds].sort()).toEqual(['fail', 'missing', 'pass']);
      for (const fixtureCase of fixture?.cases ?? []) {
        if (fixtureCase.kind === 'pass') expect(fixtureCase.expect).toEqual([]);
        if (fixtureCase.kind === 'fail') expect(fixtureCase.expect.length).toBeGreaterThan(0);
      }
    },
  );

  it('has no fixture for a rule that does not exist', () => {
    const ids = new Set(RULES.map((rule) => rule.id));
    expect(fixtures.map((fixture) => fixture.rule).filter((id) => !ids.has(id))).toEqual([]);
  });

  const cases = fixtures.flatMap((fixture) =>
    fixture.cases.map(
      (fixtureCase) => [fixture.rule, fixtureCase.kind, fixtureCase.name, fixtureCase] as const,
    ),
  );

  it.each(cases)('%s %s: %s', (ruleId, _kind, _name, fixtureCase) => {
    // GIVEN a stack made of the fixture case
    const json = stackJson(fixtureCase);

    // WHEN the pack checks it
    const result = checkStack({ stackName: 'fixture', json });

    // THEN the rule flags exactly the expected resources
    const findings = result.findings.filter((finding) => finding.ruleId === ruleId);
    expect([...new Set(findings.map((finding) => finding.address))].sort()).toEqual(
      [...fixtureCase.expect].sort(),
    );
    for (const finding of findings) expect(finding.fix.length).toBeGreaterThan(0);
    if (fixtureCase.message) {
      expect(findings.map((finding) => finding.message)).toContainEqual(
        expect.stringMatching(new RegExp(fixtureCase.message)),
      );
    }
  });
});
