/** Jest: SWC compiles our TypeScript (decorators + metadata for Nest) and the ESM-only packages. */
const swcTs = ['@swc/jest', {
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
  },
  module: { type: 'commonjs' },
}];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': swcTs,
    '^.+\\.m?js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|uuid|file-type|strtok3|token-types|@tokenizer|uint8array-extras|cookie|@fastify/static|content-disposition)/)'],
  moduleNameMapper: { '^@trial-ledger/(.*)$': '<rootDir>/libs/$1/src/index.ts' },
  setupFiles: ['<rootDir>/test/quiet-log.setup.cjs'],
  // End-to-end suites spawn the CLI and run the 28-subject demo; on a loaded 2-core machine that can pass a minute.
  testTimeout: 180000,
  // Keys and trust files go to a temporary key directory, never the real home directory: for the
  // whole run (inherited by spawned processes) and per test file.
  globalSetup: '<rootDir>/test/support/isolated-key-dir.global-setup.cjs',
  globalTeardown: '<rootDir>/test/support/isolated-key-dir.global-teardown.cjs',
  setupFilesAfterEnv: ['<rootDir>/test/support/isolated-key-dir.ts'],
  reporters: ['default', '<rootDir>/test/plain-summary.reporter.cjs'],
};
