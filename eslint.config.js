// ESLint flat config: typescript-eslint's strict type-checked rules over src/ and test/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tmp/**', 'eslint.config.js', 'vitest.config.ts', 'vitest.chaos.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // Metrics through events: components report through their own event interfaces; only src/ops/
    // uses prom-client, and only src/ops/, the composition root (src/daemon.ts) and its scrape-time
    // observer (src/daemon/observe.ts) hold the Metrics registry (docs/metrics.md).
    files: ['src/**/*.ts'],
    ignores: ['src/ops/**', 'src/daemon.ts', 'src/daemon/observe.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'prom-client', message: 'Only src/ops/ uses prom-client: emit an event and count it in src/ops/metric-events.ts.' }],
          patterns: [
            {
              group: ['**/ops/metrics', '**/ops/metrics.js', '**/ops/metric-events', '**/ops/metric-events.js'],
              message: 'Components report through their own event interface; the composition root wires it to metrics (src/ops/metric-events.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // CommonJS config files for other tools (the pm2 ecosystem file).
    files: ['**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
