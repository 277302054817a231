// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import fledge from './eslint-rules/fledge.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.serverless/', '.fledge/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The floors of the house (CONTRIBUTING.md, "Map of the house"): model and text at the bottom, then ports, then
    // domain and adapters side by side, interfaces, and the functions, local mode and the CLI that put them together;
    // the bench and the tests on top; the embedded AWS beside them all, importing nothing of fledge and imported by
    // its package name only.
    // And one rule for index files: none, but a package's public entry; import the module that defines the name.
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    // examples/ holds users' Lambda code, whose entry Lambda calls index.
    ignores: ['examples/**'],
    plugins: { fledge },
    rules: {
      'fledge/floors': 'error',
      // The embedded AWS's service entries are its package's business (packages/embedded-aws).
      'fledge/no-barrels': ['error', { entries: ['packages/embedded-aws/src', 'packages/embedded-aws/src/protocol', 'packages/embedded-aws/src/services/lambda', 'packages/embedded-aws/src/services/stepfunctions', 'packages/embedded-aws/src/testing'] }],
    },
  },
  {
    // The domain core stays free of AWS: it talks to the world through ports only (fledge/floors keeps it off
    // adapters, handlers and the embedded AWS).
    files: ['shared/domain/**/*.ts', 'shared/ports/**/*.ts', 'shared/model/**/*.ts', 'shared/text/**/*.ts', 'shared/interfaces/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['@aws-sdk/*', '@smithy/*'], message: 'The domain core imports no AWS SDK: put AWS behind a port in shared/ports and an adapter in shared/adapters.' },
      ] }],
    },
  },
  {
    // Untrusted text reaches a person only through the one sanitiser (shared/text/sanitise.ts):
    // JSON.stringify writes C1 controls, bidi overrides and zero-width characters raw.
    files: ['cli/**/*.ts', 'cli/demo/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.property.name='write'] CallExpression[callee.object.name='JSON'][callee.property.name='stringify']",
        message: 'Print JSON with safeJson() from shared/text/sanitise: JSON.stringify leaves C1, bidi and zero-width characters raw.',
      }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
