/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // Type-checking is its own step (`npm run typecheck`); ts-jest only transpiles (tsconfig isolatedModules).
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  reporters: ['default', '<rootDir>/__tests__/support/summary-reporter.js'],
  // No temporary folder outlives the run, and a test that leaves one fails it (__tests__/support/temp-folders.js).
  globalSetup: '<rootDir>/__tests__/support/temp-folders-setup.js',
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/temp-folders-each.js'],
  globalTeardown: '<rootDir>/__tests__/support/temp-folders-teardown.js',
};
