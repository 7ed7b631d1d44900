/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  // Tests within a file run in a new order each time (the seed is printed; --seed=N repeats a
  // run), so a test that leans on another's leftovers fails here rather than in a later change.
  randomize: true,
  showSeed: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
