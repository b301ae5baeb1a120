// The exact mode with the real terraform (minutes of plans): kept apart from exact.test.ts, which tests its parts
// without terraform, so the unit suite stays fast (`npm run bench` lists this file among the real-tool tests).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '../../model/values';
import { agreement } from '../../diff/agreement';
import { compareStack } from '../../diff/compare';
import type { ExactStack } from '../../diff/exact';
import { exactPlan } from '../../diff/exact';
import { discoverMirrors } from '../../terraform/terraform';
import { bootstrapStackName } from '../../stacks/bootstrap-stack';
import { synthesizedAppStacks } from '../support/app';

describe('exact mode with the real terraform', () => {
  const stacks = synthesizedAppStacks();
  const bootstrap = stacks[bootstrapStackName('222222222222')] as JsonObject;
  let cacheDir: string;
  let workDir: string;
  const plan = (before: unknown, after: unknown, name = 'bootstrap'): Promise<ExactStack> =>
    exactPlan(name, before, after, { mirrors: discoverMirrors(process.env), cacheDir, workDir });
  // The one cold build of the base state (minutes of terraform plans), shared: the next test plans a change
  // against the cached state, which is the warm path.
  let cold: ExactStack;
  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'wms-diff-exact-cache-'));
    workDir = mkdtempSync(join(tmpdir(), 'wms-diff-exact-work-'));
    cold = await plan(bootstrap, bootstrap);
  }, 600_000);
  afterAll(() => {
    rmSync(cacheDir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  });

  it('GIVEN the unchanged bootstrap stack THEN the base state converges and the plan is empty', () => {
    process.stdout.write(
      `exact mode, ${bootstrapStackName('222222222222')}: ${cold.seconds}s without a cached base state ` +
        `(${cold.status !== 'unavailable' ? cold.rounds : '?'} rounds)\n`,
    );
    expect(cold).toMatchObject({
      status: 'planned',
      residue: [],
      cached: false,
      changes: [],
      counts: { create: 0, update: 0, replace: 0, delete: 0, move: 0 },
    });
  });

  it('GIVEN the state bucket renamed THEN Terraform replaces it and what names it, refused by prevent_destroy, as the diff says', async () => {
    const after = structuredClone(bootstrap);
    const buckets = (after.resource as Record<string, Record<string, JsonObject>>).aws_s3_bucket;
    buckets.State_Bucket_54D19BE5.bucket = `${String(buckets.State_Bucket_54D19BE5.bucket)}-v2`;
    // The planned copy lifts prevent_destroy (a real plan would stop at it), and marks the address.
    buckets.State_Bucket_54D19BE5.lifecycle = { prevent_destroy: true };
    const exact = await plan(bootstrap, after);
    if (exact.status === 'unavailable') throw new Error(exact.reason);
    // Planned against the base state the cold build cached.
    expect(exact.cached).toBe(true);
    expect(exact.changes).toContainEqual({
      address: 'aws_s3_bucket.State_Bucket_54D19BE5',
      action: 'replace',
      replacePaths: ['bucket'],
    });
    expect(exact.refused).toContain('aws_s3_bucket.State_Bucket_54D19BE5');
    const result = agreement(compareStack('bootstrap', bootstrap, after), exact.changes);
    expect(result).toMatchObject({ falsePositives: 0, falseNegatives: 0, disagreements: [] });
  }, 600_000);

  it('GIVEN a stack whose providers or state are not available offline THEN it says why, without planning', async () => {
    const services = stacks['wms-staging-cluster-services'];
    const exact = await plan(services, services, 'services');
    expect(exact).toMatchObject({
      status: 'unavailable',
      reason: expect.stringMatching(/terraform_remote_state/),
    });
  });
});
