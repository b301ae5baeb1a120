// Compiles the cdktf app and the command-line tools to dist/ with esbuild (transpile only, no type check:
// `npm run typecheck` runs tsc as its own step), in two bundles:
// - dist/main.js and dist/scripts/*.js: our code, one file per entry point. Every package it imports becomes a call
//   into the vendor bundle.
// - dist/vendor.js: those packages (cdktf, constructs, the providers' modules, yaml), bundled once and loaded
//   lazily, one module at a time, as Node's require would. One file instead of ~600, without the inline source maps
//   the packages ship: `npm run synth` starts 0.3 s sooner. It is rebuilt only when the set of imported packages
//   or an installed file changes (about 1.5 s), so an edit of our code costs only the first bundle's build.
// Like make, it skips a bundle that is up to date: our bundle when dist/ is newer than every file its last build
// read (esbuild's metafile lists them; the entry points, this script, tsconfig.json and package.json count too);
// the vendor bundle when the size and modification time of every file it was built from, and of npm's record of
// the installed packages (node_modules/.package-lock.json), are what they were (npm ci unpacks files with old
// modification times, so "newer than" would miss an update). A new, changed or deleted input, or a missing
// output, rebuilds.
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const USAGE = `Usage: npm run build

Compiles main.ts and scripts/*.ts to dist/ with esbuild (transpile only; npm run typecheck type-checks), the
packages they import to dist/vendor.js.

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
const VENDOR = 'vendor.js';
// Packages left to Node's require: esbuild runs its native binary (the Lambda bundle is built during synth).
const NOT_BUNDLED = ['esbuild'];
const INSTALLED = 'node_modules/.package-lock.json';
if (scripts.includes('scripts/vendor.ts')) {
  process.stderr.write(`build: scripts/vendor.ts would overwrite the vendor bundle's forwarder; rename it\n`);
  process.exit(2);
}

/** Size and modification time of each file, as one comparable value (a missing file is "missing"). */
function signature(files) {
  return files.map((file) => {
    try {
      const { size, mtimeMs } = statSync(file);
      return [file, size, mtimeMs];
    } catch {
      return [file, 'missing'];
    }
  });
}

let stamp;
try {
  stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
} catch {
  stamp = undefined; // no build yet
}

function appUpToDate() {
  try {
    if (!stamp.vendor || JSON.stringify(stamp.entryPoints) !== JSON.stringify(entryPoints)) return false;
    const built = statSync(STAMP).mtimeMs;
    const outputsExist = stamp.outputs.every((file) => statSync(file).isFile());
    return outputsExist && [...stamp.inputs, ...ALWAYS].every((file) => statSync(file).mtimeMs < built);
  } catch {
    return false; // no stamp yet, or an input is gone
  }
}

function vendorUpToDate(packages) {
  const vendor = stamp?.vendor;
  if (!vendor || JSON.stringify(vendor.packages) !== JSON.stringify(packages)) return false;
  const now = JSON.stringify(signature([`dist/${VENDOR}`, INSTALLED, ...vendor.inputs]));
  return now === JSON.stringify(vendor.signature);
}

/**
 * esbuild plugin: a package import becomes `require('./vendor.js')(<specifier>)` (the forwarder in each output
 * folder below dist/ leads to dist/vendor.js); the specifiers are collected in `packages`.
 */
function throughVendor(packages) {
  return {
    name: 'through-vendor',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, ({ path, namespace }) => {
        if (namespace === 'vendor') return { path, external: true };
        if (path.startsWith('node:') || builtinModules.includes(path)) return { path, external: true };
        if (NOT_BUNDLED.some((name) => path === name || path.startsWith(`${name}/`)))
          return { path, external: true };
        packages.add(path);
        return { path, namespace: 'vendor' };
      });
      build.onResolve({ filter: /^\.\/vendor\.js$/, namespace: 'vendor' }, ({ path }) => ({
        path,
        external: true,
      }));
      build.onLoad({ filter: /.*/, namespace: 'vendor' }, ({ path }) => ({
        contents: `module.exports = require(${JSON.stringify(`./${VENDOR}`)})(${JSON.stringify(path)});\n`,
        loader: 'js',
      }));
    },
  };
}

/** The vendor bundle's entry: one lazy `require` per package specifier, in a fixed order. */
function vendorEntry(packages) {
  const cases = packages.map(
    (id) => `    case ${JSON.stringify(id)}: return require(${JSON.stringify(id)});`,
  );
  return [
    '// Generated by scripts/build.mjs: the packages dist/ imports, each loaded on first use.',
    'module.exports = function vendor(id) {',
    '  switch (id) {',
    ...cases,
    '    default:',
    '      throw new Error(`dist/vendor.js does not hold ${id}: run npm run build`);',
    '  }',
    '};',
    '',
  ].join('\n');
}

const COMMON = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  metafile: true,
};

let app = stamp && { entryPoints, inputs: stamp.inputs, outputs: stamp.outputs };
let changed = false;
let packages = stamp?.vendor?.packages;
let vendor = stamp?.vendor;
if (!appUpToDate()) {
  const { build } = await import('esbuild');
  const imported = new Set();
  const result = await build({
    ...COMMON,
    entryPoints,
    outdir: 'dist',
    outbase: '.',
    sourcemap: false,
    plugins: [throughVendor(imported)],
  });
  const { inputs, outputs } = result.metafile;
  const folders = [...new Set(Object.keys(outputs).map((file) => file.slice(0, file.lastIndexOf('/'))))];
  const forwarders = folders
    .filter((folder) => folder !== 'dist')
    .map((folder) => {
      const up = '../'.repeat(folder.split('/').length - 1);
      writeFileSync(
        `${folder}/${VENDOR}`,
        `module.exports = require(${JSON.stringify(`${up}${VENDOR}`)});\n`,
      );
      return `${folder}/${VENDOR}`;
    });
  app = {
    entryPoints,
    inputs: Object.keys(inputs)
      .filter((file) => !file.startsWith('vendor:'))
      .sort(),
    outputs: [...Object.keys(outputs), ...forwarders].sort(),
  };
  packages = [...imported].sort();
  changed = true;
}
if (!vendorUpToDate(packages)) {
  const { build } = await import('esbuild');
  const result = await build({
    ...COMMON,
    stdin: { contents: vendorEntry(packages), resolveDir: '.', sourcefile: 'vendor-entry.js', loader: 'js' },
    outfile: `dist/${VENDOR}`,
    external: NOT_BUNDLED,
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((file) => !['vendor-entry.js', '<stdin>'].includes(file))
    .sort();
  vendor = { packages, inputs, signature: signature([`dist/${VENDOR}`, INSTALLED, ...inputs]) };
  changed = true;
}
if (changed) writeFileSync(STAMP, JSON.stringify({ ...app, vendor }));
