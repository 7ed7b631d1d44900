const os = require('node:os');

/** Every test file is TypeScript, compiled by SWC without a type check (npm run typecheck does that). */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};

/**
 * Test files that start processes of their own (the server, the CLI, a PostgreSQL, a cluster of
 * workers) and time what those do: `npm test -- --selectProjects processes` runs them alone.
 */
const PROCESS_TESTS = [
  'test/server/server.test.ts',
  'test/database/embedded.test.ts',
  'test/config/config.test.ts',
  'test/observability/error-reports.test.ts',
  'test/observability/cluster-metrics.test.ts',
  'test/reliability/database-fault.test.ts',
  'test/reliability/drain.test.ts',
  'test/reliability/embedded-restart.test.ts',
  'test/reliability/import-restart.test.ts',
  'test/cli/recount.test.ts',
  'test/cli/user-admin.test.ts',
  'test/cli/ingest.test.ts',
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform,
  // One template database per run; each test file copies it into a database of its own, so files
  // run in parallel workers, one per core (JEST_WORKERS overrides).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: Number(process.env.JEST_WORKERS) || Math.max(2, os.availableParallelism()),
  testTimeout: 60_000,
  // Tests within a file run in a new order each time (the seed is printed; --seed=N repeats a
  // run), so a test that leans on another's leftovers fails here rather than in a later change.
  randomize: true,
  showSeed: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      displayName: 'in-process',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...PROCESS_TESTS.map((file) => `<rootDir>/${file}`)],
      transform,
    },
    {
      displayName: 'processes',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: PROCESS_TESTS.map((file) => `<rootDir>/${file}`),
      transform,
    },
  ],
};
