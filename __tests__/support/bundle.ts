import { build } from 'esbuild';

/**
 * Bundles one command-line script to a CommonJS file as `npm run build` bundles our code, except that its packages
 * load from node_modules instead of dist/vendor.js (a test's bundle lives outside dist/).
 */
export async function bundleScript(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
}
