/**
 * Jest transform of TypeScript with esbuild (already the build's compiler: scripts/build.mjs), transpile only:
 * type-checking is its own step (`npm run typecheck`), as it was with ts-jest's `diagnostics: false`. esbuild
 * strips types per file, which is what tsconfig's `isolatedModules` already guarantees is safe. It does not hoist
 * `jest.mock` calls above imports (babel-jest does); the suite does not use `jest.mock`.
 * https://jestjs.io/docs/code-transformation#writing-custom-transformers
 */
const { createHash } = require('node:crypto');
const { transformSync, version } = require('esbuild');

const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'node20',
  platform: 'node',
  sourcemap: 'inline',
  sourcesContent: false,
};

module.exports = {
  process(sourceText, sourcePath) {
    const { code } = transformSync(sourceText, { ...OPTIONS, sourcefile: sourcePath });
    return { code };
  },
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha256')
      .update(`esbuild ${version} ${JSON.stringify(OPTIONS)}\0${sourcePath}\0${sourceText}`)
      .digest('hex');
  },
};
