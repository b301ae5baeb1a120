/**
 * Jest transform of the cdktf, provider and constructs packages: their files as published, minus the inline source
 * map each ends with (about 70 % of their bytes: 3.4 of the Kubernetes Deployment module's 4.8 MB). Every test
 * file loads these packages into its own module registry, so each parsed them again; jest keeps the transformed
 * files in its cache, so the cut is paid once per package version. Stack traces into the packages then point at
 * their JavaScript instead of their TypeScript sources.
 * https://jestjs.io/docs/code-transformation#writing-custom-transformers
 */
const { createHash } = require('node:crypto');

const MARKER = '\n//# sourceMappingURL=data:';

module.exports = {
  process(sourceText) {
    const at = sourceText.lastIndexOf(MARKER);
    return { code: at === -1 ? sourceText : sourceText.slice(0, at + 1) };
  },
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha256').update(`strip-source-maps 1\0${sourcePath}\0${sourceText}`).digest('hex');
  },
};
