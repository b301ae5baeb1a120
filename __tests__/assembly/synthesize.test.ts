import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { TerraformStack } from 'cdktf';
import { join } from 'node:path';
import { suppress } from '../../guardrails/suppress';
import { bootstrapStackName } from '../../stacks/bootstrap-stack';
import { baselineStackName } from '../../stacks/baseline-stack';
import { PlatformStack } from '../../stacks/platform-stack';
import { GuardrailsFailure, stackNames, synthesize, synthesizeApp } from '../../assembly/synthesize';
import { committedEnvironment, committedEnvironments } from '../support/environments';

describe('synthesize', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'wms-synth-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('names stacks wms-<env>-<layer>, so `cdktf plan "wms-staging-*"` selects one environment', () => {
    expect(Object.values(stackNames('staging')).every((name) => name.startsWith('wms-staging-'))).toBe(true);
    expect(stackNames('staging').platform).toBe('wms-staging-platform');
  });

  it('GIVEN stale stacks and a provider cache in the output THEN stale stacks go and the cache stays', () => {
    const outdir = join(work, 'cdktf.out');
    mkdirSync(join(outdir, 'stacks', 'wms-old-platform'), { recursive: true });
    mkdirSync(join(outdir, 'stacks', 'wms-dev-platform', '.terraform'), { recursive: true });
    writeFileSync(join(outdir, 'stacks', 'wms-dev-platform', '.terraform', 'marker'), 'cache');

    const stacks = synthesize(committedEnvironments(), { outdir, backend: 's3' });

    expect(stacks).toEqual(
      [
        ...['111111111111', '222222222222', '333333333333'].map(bootstrapStackName),
        ...['111111111111', '222222222222', '333333333333'].map(baselineStackName),
        ...['dev', 'prod', 'staging'].flatMap((env) => Object.values(stackNames(env))),
      ].sort(),
    );
    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(stacks);
    expect(existsSync(join(outdir, 'stacks', 'wms-dev-platform', '.terraform', 'marker'))).toBe(true);
    expect(existsSync(join(outdir, 'stacks', 'wms-dev-platform', 'cdk.tf.json'))).toBe(true);
    // cdktf.out links to the published generation (assembly/output-publisher.ts); nothing else is left.
    expect(
      readdirSync(work)
        .map((e) => e.replace(/\.gen-.*/, '.gen-*'))
        .sort(),
    ).toEqual(['cdktf.out', 'cdktf.out.gen-*']);
  });

  it('GIVEN a construct that throws THEN nothing is written and no staging folder is left', () => {
    const outdir = join(work, 'cdktf.out');
    const [dev] = committedEnvironments();
    const broken = { ...dev, availabilityZones: [] };
    expect(() => synthesize([broken], { outdir, backend: 's3' })).toThrow(/availabilityZones/);
    expect(readdirSync(work)).toEqual([]);
  });

  it("GIVEN a stack whose resource has no provider THEN cdktf's validation still fails the synth, writing nothing", () => {
    // The App skips cdktf's automatic validation (it would run `terraform version`); synth runs it itself.
    const outdir = join(work, 'cdktf.out');
    expect(() =>
      synthesizeApp((app) => {
        new SnsTopic(new TerraformStack(app, 'no-provider'), 'Topic', { name: 'orphan' });
      }, outdir),
    ).toThrow(/without a matching provider construct[\s\S]*aws/);
    expect(readdirSync(work)).toEqual([]);
  });

  it("GIVEN a construct that throws THEN its error keeps its stack trace, and Node's formatter is back", () => {
    // Token traces are left unformatted while the stacks are built (withoutTokenTraces); an error is not.
    const before = Error.prepareStackTrace;
    const [dev] = committedEnvironments();
    let thrown: unknown;
    try {
      synthesize([{ ...dev, availabilityZones: [] }], { outdir: join(work, 'cdktf.out'), backend: 's3' });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error).stack).toMatch(/availabilityZones[\s\S]*\n\s+at /);
    expect(Error.prepareStackTrace).toBe(before);
  });

  describe('guardrails on every synth', () => {
    const failureOf = (fn: () => unknown): GuardrailsFailure => {
      try {
        fn();
      } catch (error) {
        if (error instanceof GuardrailsFailure) return error;
        throw error;
      }
      throw new Error('expected the guardrails to refuse the synth');
    };

    it('GIVEN an escape hatch that removes a log group key THEN synth fails saying where and what to change, writing nothing', () => {
      const outdir = join(work, 'cdktf.out');
      const failure = failureOf(() =>
        synthesizeApp((app) => {
          const stack = new PlatformStack(app, 'wms-prod-platform', { config: committedEnvironment('prod') });
          stack.network.flowLogGroup.addOverride('kms_key_id', null);
        }, outdir),
      );
      expect(failure.message).toContain('wms-prod-platform');
      expect(failure.message).toMatch(/aws_cloudwatch_log_group\.Network_FlowLogGroup_\w+/);
      expect(failure.message).toContain('wms-prod-platform/Network/FlowLogGroup');
      expect(failure.message).toContain('CKV_AWS_158');
      expect(failure.message).toMatch(/fix: .*kms_key_id/);
      expect(readdirSync(work)).toEqual([]);
    });

    it('GIVEN a suppression that matches no finding THEN synth fails on the stale suppression', () => {
      const outdir = join(work, 'cdktf.out');
      const failure = failureOf(() =>
        synthesizeApp((app) => {
          const stack = new PlatformStack(app, 'wms-dev-platform', { config: committedEnvironment('dev') });
          suppress(stack.network.flowLogGroup, 'CKV_AWS_158', 'the log group is encrypted, so this is stale');
        }, outdir),
      );
      expect(failure.message).toMatch(/[Ss]tale/);
      expect(failure.message).toContain('CKV_AWS_158');
      expect(existsSync(outdir)).toBe(false);
    });
  });
});
