// @ts-check
import tseslint from 'typescript-eslint';

const providerRoots = ['@cdktf/provider-aws', '@cdktf/provider-kubernetes', '@cdktf/provider-helm'];

/** Provider packages by deep path only: the package root (or lib index) loads ~2,000 resource classes. */
const providerImports = {
  paths: providerRoots.map((name) => ({
    name,
    message: `Import the resource's own file: ${name}/lib/<resource>.`,
  })),
  patterns: [
    {
      regex: '^@cdktf/provider-(aws|kubernetes|helm)/lib/?(index)?$',
      message: 'Import the resource file itself, not the lib index.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdktf.out', 'cdktf.out.*', 'coverage/', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', providerImports],
    },
  },
  {
    // Constructs get explicit props: they never read the environment config or the process environment.
    files: ['constructs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: providerImports.paths,
          patterns: [
            ...providerImports.patterns,
            {
              regex: '(^|/)config(/|$)',
              message: 'Constructs take explicit props, never the environment config.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only main.ts reads the process environment.' },
        { object: 'process', property: 'argv', message: 'Only main.ts reads argv.' },
      ],
    },
  },
  {
    files: ['stacks/**/*.ts', 'config/**/*.ts', 'guardrails/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Only main.ts and scripts/ read the process environment.',
        },
      ],
    },
  },
);
