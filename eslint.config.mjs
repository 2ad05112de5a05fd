// Type-aware linting; zero warnings allowed (npm run lint uses --max-warnings 0).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'models/**', 'bin/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../../*'], message: 'Use the @vigil/* path aliases across packages.' }] },
      ],
    },
  },
  {
    // Nest DI needs runtime class references in constructors; consistent-type-imports would strip them.
    files: ['apps/**/*.ts', 'libs/infra/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // The pure libs: no Nest, no I/O, no edges. Side effects live in apps and libs/infra behind one edge each.
    files: [
      'libs/detection/src/**/*.ts',
      'libs/alerting/src/**/*.ts',
      'libs/ingestion/src/**/*.ts',
      'libs/evaluation/src/**/*.ts',
      'libs/contracts/src/**/*.ts',
    ],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...['kafkajs', 'ioredis', 'mqtt', 'ws', 'onnxruntime-node', 'express'].map((name) => ({
              name,
              message: 'Pure libs do no I/O: put it behind an edge in an app or libs/infra.',
            })),
            ...[
              'fs',
              'node:fs',
              'node:fs/promises',
              'net',
              'node:net',
              'http',
              'node:http',
              'child_process',
              'node:child_process',
            ].map((name) => ({
              name,
              message: 'Pure libs do no I/O: put it behind an edge in an app or libs/infra.',
            })),
            {
              name: '@vigil/infra',
              message: 'libs/infra is the Nest/I-O edge; pure libs must not depend on it.',
            },
            {
              name: '@vigil/model',
              message: 'The model engines load native code; pass a scorer in instead.',
            },
            {
              name: '@vigil/simulator',
              message: 'The simulator reads and writes files; only its types.',
              allowTypeImports: true,
            },
          ],
          patterns: [
            { group: ['@nestjs/*'], message: 'Pure libs import no Nest.' },
            { group: ['../../*'], message: 'Use the @vigil/* path aliases across packages.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
);
