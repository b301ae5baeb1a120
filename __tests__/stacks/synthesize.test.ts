import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackNames, synthesize } from '../../stacks/synthesize';
import { committedEnvironments } from '../support/environments';

describe('synthesize', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'wms-synth-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('names stacks wms-<env>-<layer>, so `cdktf plan "wms-staging-*"` selects one environment', () => {
    expect(stackNames('staging')).toEqual({ platform: 'wms-staging-platform' });
  });

  it('GIVEN stale stacks and a provider cache in the output THEN stale stacks go and the cache stays', () => {
    const outdir = join(work, 'cdktf.out');
    mkdirSync(join(outdir, 'stacks', 'wms-old-platform'), { recursive: true });
    mkdirSync(join(outdir, 'stacks', 'wms-dev-platform', '.terraform'), { recursive: true });
    writeFileSync(join(outdir, 'stacks', 'wms-dev-platform', '.terraform', 'marker'), 'cache');

    const stacks = synthesize(committedEnvironments(), { outdir, backend: 's3' });

    expect(stacks).toEqual(['wms-dev-platform', 'wms-prod-platform', 'wms-staging-platform']);
    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(stacks);
    expect(existsSync(join(outdir, 'stacks', 'wms-dev-platform', '.terraform', 'marker'))).toBe(true);
    expect(existsSync(join(outdir, 'stacks', 'wms-dev-platform', 'cdk.tf.json'))).toBe(true);
    expect(readdirSync(work)).toEqual(['cdktf.out']);
  });

  it('GIVEN a construct that throws THEN nothing is written and no staging folder is left', () => {
    const outdir = join(work, 'cdktf.out');
    const [dev] = committedEnvironments();
    const broken = { ...dev, availabilityZones: [] };
    expect(() => synthesize([broken], { outdir, backend: 's3' })).toThrow(/availabilityZones/);
    expect(readdirSync(work)).toEqual([]);
  });
});
