// Compiles the cdktf app and the command-line tools to dist/ with esbuild (transpile only, no type check:
// `npm run typecheck` runs tsc as its own step). Node resolves dependencies from node_modules at run time.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';

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
