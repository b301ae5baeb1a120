/**
 * The test files that run real tools or whole programs (promtool, amtool, terraform, actionlint, PostgreSQL, bash
 * scripts, git, the compiled app and CLIs): integration tests, where most of the time goes to other processes.
 * `npm run test:unit` (WMS_TESTS=unit) leaves them out, for a fast loop and the unit budget of `npm run bench`;
 * `npm test` and CI run every test.
 */
const REAL_TOOL_TESTS = [
  'main\\.test',
  'promtool\\.test',
  'amtool\\.test',
  'setup-tools\\.test',
  'mock-apply\\.test',
  'scripts/diff\\.test',
  'workflows/plan-apply\\.test',
  'workflows/lint\\.test',
  'scripts/run-parallel\\.test',
  // The exact mode and the live mutation plan run the real terraform (minutes of plans).
  'diff/exact-terraform\\.test',
  'diff/mutations-live\\.test',
  // Runs the documented commands: npm run synth (twice), npm run diff, the guardrails CLI, the build.
  'docs-commands\\.test',
  // Run every command's compiled CLI (--help), npm run synth under signals, and the CI and rollback bash scripts.
  'scripts/help\\.test',
  'scripts/synth-signals\\.test',
  'workflows/ci-scripts\\.test',
  'workflows/rollback\\.test',
  // Runs the database automation against a throw-away PostgreSQL server.
  'functions/database-automation\\.test',
  // Start our compiled programs: the publisher killed at random instants, the verify and guardrails CLIs, the
  // chart-interface generator; and a second, independent reader of the Lambda zip (python's zipfile), git.
  'assembly/output-publisher\\.test',
  'scripts/verify\\.test',
  // Runs scripts/build.mjs (esbuild) on a scratch project, and the bundles it writes.
  'scripts/build\\.test',
  'guardrails/cli\\.test',
  'scripts/chart-interface\\.test',
  'constructs/shared/function-bundle\\.test',
  'config/promotion\\.test',
];

/** cdktf, its providers and constructs: each of their files ends with an inline source map. */
const SOURCE_MAPPED = '(cdktf|@cdktf/provider-[a-z]+|constructs)';

const WMS_TESTS = process.env.WMS_TESTS ?? 'all';
if (!['all', 'unit'].includes(WMS_TESTS)) {
  throw new Error(`WMS_TESTS: "${WMS_TESTS}" is not allowed (all, or unit: without the real-tool tests)`);
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Every core (jest's default leaves one to the parent process, which only collects results: half of 2 cores).
  maxWorkers: '100%',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...(WMS_TESTS === 'unit' ? REAL_TOOL_TESTS : [])],
  // Type-checking is its own step (`npm run typecheck`); esbuild only transpiles (tsconfig isolatedModules).
  transform: {
    '^.+\\.ts$': '<rootDir>/__tests__/support/esbuild-transformer.js',
    [`/node_modules/${SOURCE_MAPPED}/.+\\.js$`]: '<rootDir>/__tests__/support/strip-source-maps.js',
  },
  // The packages every stack test loads, without their inline source maps (support/strip-source-maps.js says why).
  transformIgnorePatterns: [`/node_modules/(?!${SOURCE_MAPPED}/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // No stack trace per cdktf token in tests (support/no-stack-trace.js says why).
  moduleNameMapper: {
    '^\\./(tokens/private/|private/)?stack-trace$': '<rootDir>/__tests__/support/no-stack-trace.js',
  },
  reporters: ['default', '<rootDir>/__tests__/support/summary-reporter.js'],
  // A temporary root per run that no folder outlives (a test that leaves one fails the run: support/temp-folders.js),
  // and in it one synthesis of the whole app per run, shared by the stack test files (support/shared-app.ts).
  globalSetup: '<rootDir>/__tests__/support/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/temp-folders-each.js'],
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.ts',
};
