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

/**
 * Layering (README "Project layout", STYLE.md): each folder imports only the layers below it. Relative import
 * specifiers are matched: `(../)+<folder>/` reaches a top-level folder from anywhere in the tree.
 */
const up = (folders) => `^(\\.\\./)+(${folders})(/|$)`;
const layers = [
  {
    files: ['constructs/**/*.ts'],
    forbidden: [
      { regex: up('config'), message: 'Constructs take explicit props, never the environment config.' },
      {
        regex: up('stacks|assembly|diff|model|scripts'),
        message: 'Constructs import only constructs and shared/.',
      },
      {
        regex: '^(\\.\\./)+guardrails/(?!suppress$)',
        message: 'Constructs use only the suppression API of the guardrails (guardrails/suppress).',
      },
      {
        regex: '^(\\.\\./)+[a-z-]+/private(/|$)',
        message:
          "A domain's private/ helpers are its own: move what several domains use to constructs/shared/.",
      },
    ],
  },
  {
    files: ['stacks/**/*.ts'],
    forbidden: [
      {
        regex: '(^|/)private(/|$)',
        message: "Stacks use a construct's public API, never a private/ module.",
      },
      {
        regex: up('assembly|diff|model|guardrails|scripts'),
        message: 'Stacks import config, constructs and shared/.',
      },
    ],
  },
  {
    files: ['config/**/*.ts'],
    forbidden: [
      {
        regex: up('constructs|stacks|assembly|guardrails|diff|model|scripts'),
        message:
          'Config imports no construct: put facts it shares with constructs in a leaf file under shared/.',
      },
    ],
  },
  {
    files: ['guardrails/**/*.ts'],
    forbidden: [
      {
        regex: up('constructs|stacks|assembly|config|diff|scripts|shared'),
        message:
          'The guardrails are an independent oracle: they read synthesized JSON (model/), keep their own tables.',
      },
    ],
  },
  {
    files: ['diff/**/*.ts'],
    forbidden: [
      {
        regex: up('constructs|stacks|assembly|config|scripts'),
        message:
          'The diff is an independent reader of synthesized JSON (model/): no constructs, stacks or config.',
      },
      {
        regex: '^(\\.\\./)+shared/(?!cidr$)',
        message: 'The diff keeps its own tables; it shares only CIDR maths.',
      },
    ],
  },
  {
    files: ['model/**/*.ts', 'shared/**/*.ts', 'terraform/**/*.ts'],
    forbidden: [
      { regex: '^\\.\\./', message: 'A leaf layer imports nothing of the project outside its folder.' },
    ],
  },
  {
    files: ['functions/**/*.ts'],
    forbidden: [
      {
        regex: '^\\.\\./\\.\\./',
        message:
          'Lambda function code is bundled on its own: it imports only its own folder and npm packages.',
      },
    ],
  },
  {
    files: ['assembly/**/*.ts'],
    forbidden: [
      { regex: up('constructs|diff|scripts'), message: 'The assembly composes stacks, not constructs.' },
    ],
  },
];

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
  ...layers.map(({ files, forbidden }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: providerImports.paths, patterns: [...providerImports.patterns, ...forbidden] },
      ],
    },
  })),
  {
    // Constructs get explicit props: they never read the process environment.
    files: ['constructs/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only main.ts reads the process environment.' },
        { object: 'process', property: 'argv', message: 'Only main.ts reads argv.' },
      ],
    },
  },
  {
    files: [
      'stacks/**/*.ts',
      'config/**/*.ts',
      'guardrails/**/*.ts',
      'diff/**/*.ts',
      'model/**/*.ts',
      'shared/**/*.ts',
    ],
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
