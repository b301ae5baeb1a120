// Compiles the cdktf app and the command-line tools to dist/ with esbuild (transpile only, no type check:
// `npm run typecheck` runs tsc as its own step). Node resolves dependencies from node_modules at run time.
// Like make, it skips the build when dist/ is newer than every file the last build read (esbuild's metafile
// lists them; the entry points, this script, tsconfig.json and package.json count too): `npm run synth` then
// spends no time compiling. A new, changed or deleted input, or a missing output, rebuilds.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const USAGE = `Usage: npm run build

Compiles main.ts and scripts/*.ts to dist/ with esbuild (transpile only; npm run typecheck type-checks).

--help    print this help
`;
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
try {
  parseArgs({ args: process.argv.slice(2), options: {}, strict: true });
} catch (error) {
  process.stderr.write(`build: ${error.message.split('.')[0]} (see npm run build -- --help)\n`);
  process.exit(2);
}

const scripts = readdirSync('scripts')
  .filter((file) => file.endsWith('.ts'))
  .map((file) => `scripts/${file}`);
const entryPoints = ['main.ts', ...scripts];
const STAMP = 'dist/.build-inputs.json';
const ALWAYS = ['scripts/build.mjs', 'tsconfig.json', 'package.json'];

function upToDate() {
  try {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
    if (JSON.stringify(stamp.entryPoints) !== JSON.stringify(entryPoints)) return false;
    const built = statSync(STAMP).mtimeMs;
    const outputsExist = stamp.outputs.every((file) => statSync(file).isFile());
    return outputsExist && [...stamp.inputs, ...ALWAYS].every((file) => statSync(file).mtimeMs < built);
  } catch {
    return false; // no stamp yet, or an input is gone
  }
}

if (!upToDate()) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints,
    outdir: 'dist',
    outbase: '.',
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: false,
    logLevel: 'warning',
    metafile: true,
  });
  const { inputs, outputs } = result.metafile;
  writeFileSync(
    STAMP,
    JSON.stringify({ entryPoints, inputs: Object.keys(inputs).sort(), outputs: Object.keys(outputs).sort() }),
  );
}
