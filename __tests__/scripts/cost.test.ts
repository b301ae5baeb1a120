import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../scripts/cost';
import { fixtureStack } from '../cost/fixtures';

const REPO = join(__dirname, '..', '..');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: process.env,
    cwd: REPO,
  });
  return { code, stdout, stderr };
}

/** Writes a tree as cdktf does: manifest.json and stacks/<name>/cdk.tf.json. */
function writeTree(dir: string, stacks: Record<string, object>): string {
  const manifest: Record<string, object> = {};
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
    manifest[name] = { name, synthesizedStackPath: `stacks/${name}/cdk.tf.json` };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ stacks: manifest }));
  return dir;
}

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'wms-cost-test-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run cost', () => {
  it('prints a table per environment with its total, the assumptions and the price status (committed table)', async () => {
    const tree = writeTree(join(scratch, 'out'), { 'wms-test-platform': fixtureStack() });
    const { code, stdout, stderr } = await run([tree]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^## test \(eu-west-1\): \d+\.\d\d USD\/month$/m);
    expect(stdout).toMatch(/^\| total +\| +\d+\.\d\d \|$/m);
    expect(stdout).toContain('Assumptions (usage the synthesized JSON cannot tell');
    expect(stdout).toMatch(/Prices: \d+ unit prices used \(\d+ recalled, \d+ secondary\)/);
  });

  it('lists every priced item with --details', async () => {
    const tree = writeTree(join(scratch, 'out'), { 'wms-test-platform': fixtureStack() });
    const { stdout } = await run([tree, '--details']);
    expect(stdout).toContain('| EKS control plane ');
    expect(stdout).toContain('1 x 730 h x 0.1 USD/cluster-hour');
  });

  it('compares a base with a head per environment and writes the Markdown for the pull-request comment', async () => {
    const base = writeTree(join(scratch, 'base'), { 'wms-test-platform': fixtureStack() });
    const head = writeTree(join(scratch, 'head'), { 'wms-test-platform': fixtureStack({ systemNodes: 4 }) });
    const output = join(scratch, 'cost.md');
    const { code, stdout } = await run([head, '--base', base, '--output', output]);
    expect(code).toBe(0);
    expect(stdout).toBe(`cost report written to ${output}\n`);
    const markdown = readFileSync(output, 'utf8');
    expect(markdown).toContain('## Estimated monthly cost');
    // Two more m6i.large on-demand nodes in eu-west-1 (0.107 USD/h, 730 h) and their 40 GiB gp3 volumes, in
    // the committed table: 2 x (730 x 0.107 + 40 x 0.088) = 156.22 + 7.04 = 163.26.
    expect(markdown).toMatch(/\| test +\| +[\d.]+ \| +[\d.]+ \| +\+163\.26 \|/);
  });

  it('refuses two bases, --details with a comparison, a missing folder and a region without prices', async () => {
    const tree = writeTree(join(scratch, 'out'), { 'wms-test-platform': fixtureStack() });
    expect(await run([tree, '--base', tree, '--base-ref', 'HEAD'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--base and --base-ref exclude each other/),
    });
    expect(await run([tree, '--base', tree, '--details'])).toMatchObject({ code: 2 });
    expect(await run([join(scratch, 'nothing')])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/nothing: no such file or directory/),
    });
    const far = writeTree(join(scratch, 'far'), {
      'wms-test-platform': fixtureStack({ region: 'ap-south-2' }),
    });
    expect(await run([far])).toMatchObject({
      code: 2,
      stderr: 'cost: no price for eks:cluster in ap-south-2 in cost/prices.json\n',
    });
  });
});
