/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Every core (jest's default leaves one to the parent process, which only collects results: half of 2 cores).
  maxWorkers: '100%',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // Type-checking is its own step (`npm run typecheck`); esbuild only transpiles (tsconfig isolatedModules).
  transform: { '^.+\\.ts$': '<rootDir>/__tests__/support/esbuild-transformer.js' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  reporters: ['default', '<rootDir>/__tests__/support/summary-reporter.js'],
  // A temporary root per run that no folder outlives (a test that leaves one fails the run: support/temp-folders.js),
  // and in it one synthesis of the whole app per run, shared by the stack test files (support/shared-app.ts).
  globalSetup: '<rootDir>/__tests__/support/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/temp-folders-each.js'],
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.ts',
};
