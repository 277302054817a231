// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    // The domain core stays free of AWS: it talks to the world through ports only.
    files: ['shared/domain/**/*.ts', 'shared/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['@aws-sdk/*', '@smithy/*'], message: 'The domain core imports no AWS SDK: put AWS behind a port in shared/ports and an adapter in shared/adapters.' },
        { group: ['**/adapters/**', '**/local/**', '**/functions/**'], message: 'The domain core depends on ports, never on adapters, handlers or the embedded AWS.' },
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
