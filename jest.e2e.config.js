/**
 * The browser suite (npm run test:e2e): Debian's Chromium driven by playwright-core against the
 * app on a free port over a fresh database. One worker: a browser already keeps both cores busy.
 */
// The main suite's settings, without its two projects (this suite is one of its own).
const base = { ...require('./jest.config') };
delete base.projects;

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/*.e2e.ts'],
  roots: ['<rootDir>/test/e2e'],
  maxWorkers: 1,
  // In file order: the accessibility suite's last test compares the titles its page tests found.
  randomize: false,
  globalSetup: '<rootDir>/test/e2e/support/global-setup.ts',
  reporters: [...base.reporters, '<rootDir>/test/e2e/support/weight-reporter.js'],
  testTimeout: 180_000,
};
