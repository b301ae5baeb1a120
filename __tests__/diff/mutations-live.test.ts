/**
 * The record of mutations.test.ts still matches Terraform: one mutation re-planned live, with the real terraform,
 * from the recorded base state (minutes: kept apart so the unit suite stays fast; `npm run bench` lists this file
 * among the real-tool tests).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { JsonObject } from '../../model/values';
import { baseStateFile } from '../../diff/exact';
import type { RecordedPlans } from './fixtures/mutations';
import { MUTATION_STACK, planMutation, RECORDED, recordedStacks } from './fixtures/mutations';

const BASE_STATE = join(__dirname, 'fixtures', 'mutations-base-state.json.gz');
/** The mutation re-planned live on every run: a replacement that spreads over four resources. */
const LIVE = 'kms-multi-region';
const { base, afters } = recordedStacks();
const recorded = () => JSON.parse(readFileSync(RECORDED, 'utf8')) as RecordedPlans;

describe('the record still matches Terraform (real terraform, one mutation live)', () => {
  it(`GIVEN ${LIVE} planned now from the recorded base state THEN Terraform plans what was recorded`, async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'wms-diff-live-'));
    try {
      writeFileSync(baseStateFile(cacheDir, MUTATION_STACK, base), gunzipSync(readFileSync(BASE_STATE)));
      const plan = await planMutation(base, afters.get(LIVE) as JsonObject, cacheDir);
      process.stdout.write(
        `live plan of ${LIVE}: ${plan.status === 'unavailable' ? plan.reason : `${plan.seconds}s (base state from the record)`}\n`,
      );
      expect(plan).toMatchObject({
        status: 'planned',
        cached: true,
        changes: recorded().mutations[LIVE].changes,
      });
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 600_000);
});
