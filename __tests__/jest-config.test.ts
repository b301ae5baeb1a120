// jest.config.js: WMS_TESTS picks the set of test files (`npm run test:unit` sets it to `unit`).
describe('jest.config.js', () => {
  const load = (value: string | undefined): { testPathIgnorePatterns: string[] } => {
    const saved = process.env.WMS_TESTS;
    if (value === undefined) delete process.env.WMS_TESTS;
    else process.env.WMS_TESTS = value;
    try {
      let config: { testPathIgnorePatterns: string[] } | undefined;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        config = require('../jest.config.js') as { testPathIgnorePatterns: string[] };
      });
      return config as { testPathIgnorePatterns: string[] };
    } finally {
      if (saved === undefined) delete process.env.WMS_TESTS;
      else process.env.WMS_TESTS = saved;
    }
  };

  it('GIVEN no WMS_TESTS THEN every test file runs (npm test, CI)', () => {
    expect(load(undefined).testPathIgnorePatterns).toEqual(['/node_modules/']);
  });

  it('GIVEN WMS_TESTS=unit THEN the real-tool files are left out', () => {
    const patterns = load('unit').testPathIgnorePatterns;
    expect(patterns).toContain('diff/exact-terraform\\.test');
    expect(patterns).toContain('functions/database-automation\\.test');
  });

  it('GIVEN another WMS_TESTS THEN it names the variable, the value and what is allowed', () => {
    expect(() => load('fast')).toThrow(
      'WMS_TESTS: "fast" is not allowed (all, or unit: without the real-tool tests)',
    );
  });
});
