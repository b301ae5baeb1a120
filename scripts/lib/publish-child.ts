/**
 * Child process of the publish rounds (scripts/lib/publish-rounds.ts): writes a small fake app into its
 * staging folder and publishes it, `count` times (0: until killed). Iteration i has 15 + (i % 7) stacks, and
 * every file carries the token `<pid>-<i>`, so a checker can tell whether a tree is whole.
 *
 * Usage: node publish-child.js <outdir> <count>
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { publishOutput, stagingFolder } from '../../assembly/output-publisher';

const [outdirArg, countArg] = process.argv.slice(2);
const outdir = resolve(outdirArg);
const count = Number(countArg);
for (let i = 0; count === 0 || i < count; i += 1) {
  const token = `${process.pid}-${i}`;
  const staging = stagingFolder(outdir);
  rmSync(staging, { recursive: true, force: true });
  const stacks: Record<string, unknown> = {};
  for (let s = 1; s <= 15 + (i % 7); s += 1) {
    const name = `s${String(s).padStart(2, '0')}`;
    mkdirSync(join(staging, 'stacks', name), { recursive: true });
    writeFileSync(join(staging, 'stacks', name, 'cdk.tf.json'), JSON.stringify({ token, name }));
    stacks[name] = {
      name,
      workingDirectory: `stacks/${name}`,
      synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
    };
  }
  writeFileSync(join(staging, 'manifest.json'), JSON.stringify({ version: 'rounds', token, stacks }));
  publishOutput(staging, outdir, { onWait: () => undefined });
}
