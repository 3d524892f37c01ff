/** Jest runs the TypeScript sources as ES modules through swc; see package.json "test". */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'es6' } }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/support/controlplane/jest-global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/controlplane/jest-global-teardown.mjs',
};
