import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'List exports by name (house style: hand-kept public surface).',
        },
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
      ],
    },
  },
  {
    // No tokenizer in the library: counting is by characters or by the caller's `countTokens`
    // (docs/decisions.md §24). Only the simulator of `tierguard/testing` loads one, lazily (an
    // optional peer). Restates the selectors above: a later block's options replace earlier ones.
    files: ['src/**/*.ts'],
    ignores: ['src/testing/simulator/tokens.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'List exports by name (house style: hand-kept public surface).',
        },
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
        {
          selector:
            'ImportDeclaration[source.value=/^gpt-tokenizer/], ImportExpression[source.value=/^gpt-tokenizer/]',
          message:
            'No tokenizer in src/: take a `countTokens` option instead (gpt-tokenizer is a devDependency).',
        },
      ],
    },
  },
  {
    files: ['*.config.ts', '*.config.js', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/testing/**', 'src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/testing/**', '**/cli/**'],
              message: 'The library never imports the testing kit or the CLI.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only the public list builds on the guard: diagnose/ works in any `catch`, pacing/ knows
    // nothing of retries, and budget/, stores/ and telemetry/ stand beside the pipeline (DESIGN.md
    // "Layout").
    files: ['src/**/*.ts'],
    ignores: ['src/guard/**', 'src/index.ts', 'src/testing/**', 'src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/guard/**', '**/testing/**', '**/cli/**'],
              message:
                'Outside guard/ and the public list, the library never imports the guard, the testing kit or the CLI.',
            },
          ],
        },
      ],
    },
  },
  {
    // data/ imports nothing: tables and hint texts stand alone (issue 15; DESIGN.md "Layout").
    files: ['src/data/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^(?!\./)`,
              message: 'src/data/ imports nothing outside src/data/ (no logic, no packages).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/data/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^(?!\./|\.\./(?!\.\./))`,
              message: 'src/data/ imports nothing outside src/data/ (no logic, no packages).',
            },
          ],
        },
      ],
    },
  },
);
