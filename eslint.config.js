// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import fence from './scripts/eslint-fence.mjs';
import fledge from './eslint-rules/fledge.js';

/** fledge reaches a workspace package (packages/*) through its package name and public exports only. */
const PACKAGE_BY_NAME = { outside: 'packages', message: "import a workspace package by its name ('@fledge-local/embedded-aws'), not by a path into its files" };

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
    // domain and adapters side by side, interfaces, and the functions, local mode and the CLI that put them together.
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
    // The embedded AWS is its own package and knows nothing of fledge (packages/embedded-aws/README.md).
    files: ['packages/embedded-aws/**/*.{ts,mjs,js}'],
    plugins: { fence },
    rules: { 'fence/imports': ['error', { inside: 'packages/embedded-aws', message: 'the embedded AWS imports nothing of fledge: take what it needs as an option (LocalAwsOptions) instead' }] },
  },
  {
    // fledge uses the embedded AWS through its package name and public exports, never its files.
    files: ['**/*.{ts,mjs,js}'],
    ignores: ['packages/**'],
    plugins: { fence },
    rules: { 'fence/imports': ['error', PACKAGE_BY_NAME] },
  },
  {
    // The bench and the demo start fledge in the shared world (local/world/), never in the tests' harness.
    files: ['bench/**/*.{ts,mjs,js}', 'demo/**/*.{ts,mjs,js}'],
    plugins: { fence },
    rules: { 'fence/imports': ['error', PACKAGE_BY_NAME, { outside: 'test', message: 'bench/ and demo/ do not import from test/: what they share with the tests is in local/world/' }] },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
