// Compiles the cdktf app and the command-line tools to dist/ with esbuild (transpile only, no type check:
// `npm run typecheck` runs tsc as its own step). Node resolves dependencies from node_modules at run time.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
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

await build({
  entryPoints: ['main.ts', ...scripts],
  outdir: 'dist',
  outbase: '.',
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  logLevel: 'warning',
});
