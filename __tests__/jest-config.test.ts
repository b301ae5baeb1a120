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

  describe('the packages loaded without their inline source maps (support/strip-source-maps.js)', () => {
    type Transformer = {
      process: (source: string) => { code: string };
      getCacheKey: (source: string, path: string) => string;
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const strip = require('./support/strip-source-maps.js') as Transformer;
    const config = load(undefined) as unknown as {
      transform: Record<string, string>;
      transformIgnorePatterns: string[];
    };
    const transformed = (path: string): string | undefined => {
      if (config.transformIgnorePatterns.some((pattern) => new RegExp(pattern).test(path))) return undefined;
      const match = Object.entries(config.transform).find(([pattern]) => new RegExp(pattern).test(path));
      return match?.[1].split('/').pop();
    };

    it('GIVEN a file of cdktf, a provider or constructs THEN it goes through the transform; other packages do not', () => {
      expect(transformed('/r/node_modules/cdktf/lib/app.js')).toBe('strip-source-maps.js');
      expect(transformed('/r/node_modules/@cdktf/provider-kubernetes/lib/job-v1/index.js')).toBe(
        'strip-source-maps.js',
      );
      expect(transformed('/r/node_modules/constructs/lib/construct.js')).toBe('strip-source-maps.js');
      expect(transformed('/r/node_modules/yaml/dist/index.js')).toBeUndefined();
      expect(transformed('/r/node_modules/cdktf/node_modules/archiver/index.js')).toBeUndefined();
      expect(transformed('/r/config/load.ts')).toBe('esbuild-transformer.js');
    });

    it('GIVEN a file ending with an inline source map THEN the map goes and the code stays byte for byte', () => {
      const code = '"use strict";\nexports.x = 1;\n';
      expect(
        strip.process(`${code}//# sourceMappingURL=data:application/json;base64,eyJ2IjozfQ==`).code,
      ).toBe(code);
      expect(strip.process(code).code).toBe(code);
      expect(strip.process(`${code}//# sourceMappingURL=app.js.map`).code).toBe(
        `${code}//# sourceMappingURL=app.js.map`,
      );
      expect(strip.getCacheKey(code, '/a.js')).not.toBe(strip.getCacheKey(`${code} `, '/a.js'));
    });
  });
});
