// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Libs that are explicitly Nest modules and may import `@nestjs/*`. None today: Nest lives in the apps
 * (STYLE.md "Nest only at the edges"). A lib that becomes a Nest module is named here and in the README.
 */
const NEST_MODULE_LIBS = [];

const IO_MODULES = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'http', 'node:http', 'child_process', 'node:child_process', 'better-sqlite3', 'pg', '@kurrent/kurrentdb-client', 'uuid'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', '.tmp/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Library code logs through a logger, never the console.
    files: ['libs/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/testing/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // Libraries do not know Nest (STYLE.md), except the libs named as Nest modules above.
    files: ['libs/**/*.ts'],
    ignores: NEST_MODULE_LIBS.map((lib) => `libs/${lib}/**`),
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@nestjs/*'], message: 'Libraries do not import Nest; only the apps (and libs listed in NEST_MODULE_LIBS) do.' }] }],
    },
  },
  {
    // Published algorithm coefficients (AS 241) are kept digit for digit as printed, beyond double precision.
    files: ['libs/survival/src/normal-quantile.ts'],
    rules: { 'no-loss-of-precision': 'off' },
  },
  {
    // The domain is pure (STYLE.md): no Nest, no I/O, no clock, no random ids.
    files: ['libs/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: IO_MODULES.map((name) => ({ name, message: 'The domain does no I/O and makes no ids: take them from the command metadata.' })),
        patterns: [{ group: ['@nestjs/*'], message: 'The domain imports no Nest.' }, { group: ['@trial-ledger/*'], message: 'The domain depends on no other lib.' }],
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Time arrives in the command metadata.' },
        { object: 'Math', property: 'random', message: 'Randomness arrives from outside the domain.' },
        { object: 'crypto', property: 'randomUUID', message: 'Ids arrive from outside the domain.' },
      ],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'No wall clock in the domain.' }],
    },
  },
);
