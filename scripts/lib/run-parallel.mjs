// Runs npm scripts side by side, for the `npm test` chain on 2 cores: `tsc` and `eslint`/`prettier` each use one
// core, and verify and mock-apply leave one idle at the end of their stack queues. Each script's output is held
// and printed whole, in the order given, when all have ended (deterministic output, not interleaved); the exit
// code is 1 when any failed (each failure named), 2 on bad arguments. Plain JavaScript, like build.mjs: it runs
// before anything is compiled.
//
// Usage: node scripts/lib/run-parallel.mjs <npm script>...
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const USAGE = 'Usage: node scripts/lib/run-parallel.mjs <npm script>...\n';
const names = process.argv.slice(2);
if (names.includes('--help')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const known = JSON.parse(readFileSync('package.json', 'utf8')).scripts;
const unknown = names.filter((name) => !Object.hasOwn(known, name));
if (names.length === 0 || unknown.length > 0) {
  const what = names.length === 0 ? 'no npm script given' : `script "${unknown.join('", "')}" is not allowed`;
  process.stderr.write(
    `run-parallel: ${what} (the npm scripts of package.json: ${Object.keys(known).join(', ')})\n` + USAGE,
  );
  process.exit(2);
}

const run = (name) =>
  new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npm', ['run', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    const end = (code) =>
      resolve({ name, code, output: Buffer.concat(output), seconds: (Date.now() - started) / 1000 });
    child.on('error', (error) => {
      output.push(Buffer.from(`${error.message}\n`));
      end(1);
    });
    child.on('close', (code) => end(code ?? 1));
  });

const results = await Promise.all(names.map(run));
for (const { name, code, output, seconds } of results) {
  process.stdout.write(output);
  process.stdout.write(`\n[run-parallel] npm run ${name}: exit ${code} after ${seconds.toFixed(1)} s\n\n`);
}
const failed = results.filter((result) => result.code !== 0).map((result) => result.name);
if (failed.length > 0) process.stderr.write(`run-parallel: failed: ${failed.join(', ')}\n`);
process.exit(failed.length > 0 ? 1 : 0);
