/**
 * The semantic diff measured against Terraform's exact plan on the staging platform stack, mutation by mutation
 * (fixtures/mutations.ts): recall and precision of its replacements and deletions, per mutation and pooled.
 *
 * Terraform's plans are recorded in fixtures/mutations-exact.json with the converged base state
 * (mutations-base-state.json.gz) and the stacks they were planned for (mutations-stacks.json.gz, on which the
 * measurement runs): planning all mutations takes minutes. One mutation is re-planned live on every run from the
 * recorded base state, to prove the record still matches what Terraform does (mutations-live.test.ts, among the
 * real-tool tests). Regenerate them
 * with `WMS_DIFF_RECORD=1 npx jest __tests__/diff/mutations.test.ts` to measure the current code (only the
 * stale mutations are re-planned while the base stack is unchanged; a changed base re-plans all, minutes).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { JsonObject } from '../../model/values';
import type { Agreement } from '../../diff/agreement';
import { agreement, recallPrecision } from '../../diff/agreement';
import { schemaPath } from '../../diff/attributes';
import { compareStack } from '../../diff/compare';
import { baseStateFile } from '../../diff/exact';
import { forcingCertainty } from '../../diff/resource-facts';
import type { RecordedPlans } from './fixtures/mutations';
import {
  liveStacks,
  MUTATION_STACK,
  MUTATIONS,
  RECORDED,
  recordAll,
  recordedStacks,
  stackSha256,
  writeRecordedStacks,
} from './fixtures/mutations';

const BASE_STATE = join(__dirname, 'fixtures', 'mutations-base-state.json.gz');
const RECORD = process.env.WMS_DIFF_RECORD === '1';

// Recording plans the current code; measuring reads the stacks the plans were recorded for (fixtures/mutations.ts).
const { base, afters } = RECORD ? liveStacks() : recordedStacks();
const STALE = `regenerate with WMS_DIFF_RECORD=1 npx jest __tests__/diff/mutations.test.ts`;

function recorded(): RecordedPlans {
  if (!existsSync(RECORDED)) throw new Error(`${RECORDED} is missing: ${STALE}`);
  return JSON.parse(readFileSync(RECORDED, 'utf8')) as RecordedPlans;
}

if (RECORD) {
  it('records what Terraform plans for every mutation (WMS_DIFF_RECORD=1)', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'wms-diff-record-'));
    try {
      // Re-plans only the stale mutations when the base stack is the recorded one (its state seeds the cache).
      const previous = existsSync(RECORDED) ? recorded() : undefined;
      if (previous?.baseSha256 === stackSha256(base) && existsSync(BASE_STATE))
        writeFileSync(baseStateFile(cacheDir, MUTATION_STACK, base), gunzipSync(readFileSync(BASE_STATE)));
      const plans = await recordAll(cacheDir, (line) => process.stdout.write(`${line}\n`), previous);
      writeFileSync(RECORDED, `${JSON.stringify(plans, null, 1)}\n`);
      writeFileSync(BASE_STATE, gzipSync(readFileSync(baseStateFile(cacheDir, MUTATION_STACK, base))));
      writeRecordedStacks({ base, afters });
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 3_600_000);
}

describe('the semantic diff against the exact plan, per mutation', () => {
  const agreements = new Map<string, Agreement>();

  it('GIVEN the recorded plans THEN they were recorded for this very base stack, converged', () => {
    const plans = recorded();
    expect({ base: plans.baseSha256, residue: plans.residue }).toEqual({
      base: stackSha256(base),
      residue: [],
    });
    expect(Object.keys(plans.mutations)).toEqual(MUTATIONS.map((m) => m.id));
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(15);
  });

  it.each(MUTATIONS.map((m) => [m.id, m.description]))('%s (%s)', (id) => {
    const plan = recorded().mutations[id];
    const after = afters.get(id) as JsonObject;
    if (plan.afterSha256 !== stackSha256(after))
      throw new Error(`${id}: the recorded plan is stale: ${STALE}`);
    const result = agreement(compareStack(MUTATION_STACK, base, after), plan.changes);
    agreements.set(id, result);
    // Precision 1.0: the diff never claims a replacement or deletion Terraform does not plan.
    expect(result.falsePositives).toBe(0);
  });

  it('GIVEN every mutation THEN pooled recall >= 0.95 and precision 1.0 (printed per mutation)', () => {
    const plans = recorded();
    const rows = MUTATIONS.map((mutation) => {
      const result =
        agreements.get(mutation.id) ??
        agreement(
          compareStack(MUTATION_STACK, base, afters.get(mutation.id) as JsonObject),
          plans.mutations[mutation.id].changes,
        );
      agreements.set(mutation.id, result);
      const { recall, precision } = recallPrecision([result]);
      const destroyed = result.truePositives + result.falseNegatives;
      const other = String(result.disagreements.length).padStart(13);
      return `${mutation.id.padEnd(22)} ${String(destroyed).padStart(9)} ${recall.toFixed(2).padStart(6)} ${precision.toFixed(2).padStart(9)} ${other}  ${JSON.stringify(plans.mutations[mutation.id].counts)}`;
    });
    const pooled = recallPrecision([...agreements.values()]);
    process.stdout.write(
      [
        'mutation               destroyed recall precision disagreements  terraform counts',
        ...rows,
        `pooled: recall ${pooled.recall.toFixed(3)}, precision ${pooled.precision.toFixed(3)}; ` +
          `resources on which the diff and the plan disagree (any action): ${[...agreements.values()].reduce((n, a) => n + a.disagreements.length, 0)}`,
        '',
      ].join('\n'),
    );
    expect(pooled.precision).toBe(1);
    expect(pooled.recall).toBeGreaterThanOrEqual(0.95);
  });
});

describe('the forces-new table against the provider (replace_paths of the recorded plans)', () => {
  it('GIVEN every attribute Terraform said forced a replacement THEN the table knows it forces one', () => {
    const plans = recorded();
    const unknown: string[] = [];
    const confirmed = new Set<string>();
    for (const plan of Object.values(plans.mutations)) {
      for (const change of plan.changes) {
        const type = change.address.split('.')[0];
        for (const path of change.replacePaths) {
          const bare = schemaPath(path);
          if (forcingCertainty(type, bare)) confirmed.add(`${type}.${bare}`);
          else unknown.push(`${type}.${bare}`);
        }
      }
    }
    process.stdout.write(`forcing attributes confirmed by Terraform: ${[...confirmed].sort().join(', ')}\n`);
    expect([...new Set(unknown)].sort()).toEqual([]);
  });
});
