import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutdir, checkPath, GuardrailsInputError, loadStacks } from '../../guardrails/load';

// A cdktf output folder (named synth-out because .gitignore ignores every cdktf.out folder).
const OUTDIR = join(__dirname, 'fixtures', 'synth-out');
const PROD_DIR = join(OUTDIR, 'stacks', 'wms-prod-platform');

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'guardrails-load-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('loadStacks', () => {
  it('reads every stack listed in a cdktf.out manifest, with paths relative to the folder', () => {
    const stacks = loadStacks(OUTDIR);
    expect(stacks.map((stack) => [stack.stackName, stack.source?.path])).toEqual([
      ['wms-dev-platform', 'stacks/wms-dev-platform/cdk.tf.json'],
      ['wms-prod-platform', 'stacks/wms-prod-platform/cdk.tf.json'],
    ]);
    expect(stacks[1].source?.text).toBe(readFileSync(join(PROD_DIR, 'cdk.tf.json'), 'utf8'));
  });

  it('reads a single stack folder, named after the folder', () => {
    expect(loadStacks(PROD_DIR).map((stack) => [stack.stackName, stack.source?.path])).toEqual([
      ['wms-prod-platform', 'cdk.tf.json'],
    ]);
  });

  it('reads a cdk.tf.json file, named after its folder, and another JSON file after its name', () => {
    expect(loadStacks(join(PROD_DIR, 'cdk.tf.json')).map((stack) => stack.stackName)).toEqual([
      'wms-prod-platform',
    ]);
    const file = join(scratch, 'edge.json');
    writeFileSync(file, '{"resource": {}}');
    expect(loadStacks(file).map((stack) => [stack.stackName, stack.source?.path])).toEqual([
      ['edge', 'edge.json'],
    ]);
  });

  it('fails with an input error naming the problem', () => {
    const bad = join(scratch, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'cdk.tf.json'), '{"resource": {');
    const array = join(scratch, 'array.json');
    writeFileSync(array, '[]');
    const manifestOnly = join(scratch, 'out');
    mkdirSync(manifestOnly);
    writeFileSync(
      join(manifestOnly, 'manifest.json'),
      JSON.stringify({ stacks: { gone: { synthesizedStackPath: 'stacks/gone/cdk.tf.json' } } }),
    );
    const noStacks = join(scratch, 'nostacks');
    mkdirSync(noStacks);
    writeFileSync(join(noStacks, 'manifest.json'), '{"version": "0.21.0"}');

    const error = (path: string) => {
      try {
        loadStacks(path);
      } catch (caught) {
        expect(caught).toBeInstanceOf(GuardrailsInputError);
        return (caught as Error).message;
      }
      throw new Error(`loadStacks(${path}) did not throw`);
    };
    expect(error(join(scratch, 'nope'))).toMatch(
      /nope: no such file or directory \(expected a cdktf.out folder/,
    );
    expect(error(bad)).toMatch(/cdk\.tf\.json: is not valid JSON/);
    expect(error(array)).toMatch(/array\.json: is not a synthesized stack/);
    expect(error(scratch)).toMatch(/contains neither manifest\.json nor cdk\.tf\.json/);
    expect(error(manifestOnly)).toMatch(
      /stacks\/gone\/cdk\.tf\.json: listed in .*manifest\.json but does not exist/,
    );
    expect(error(noStacks)).toMatch(/manifest\.json: has no "stacks" object/);
  });
});

describe('checkOutdir and checkPath', () => {
  it('check every stack of the folder', () => {
    // GIVEN the fixture output: a dev stack with findings and a stale suppression, a clean prod stack
    const report = checkOutdir(OUTDIR);

    // THEN the report fails on the dev stack only
    expect(report.passed).toBe(false);
    expect(
      report.stacks.map((stack) => [
        stack.stackName,
        stack.findings.length,
        stack.stale.length,
        stack.suppressed.length,
      ]),
    ).toEqual([
      ['wms-dev-platform', 2, 1, 0],
      ['wms-prod-platform', 0, 0, 1],
    ]);
    expect(checkPath(PROD_DIR).passed).toBe(true);
  });
});
