/**
 * The browser suite (npm run test:e2e): Debian's Chromium driven by playwright-core against the
 * app on a free port over a fresh database. One worker: a browser already keeps both cores busy.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/*.e2e.ts'],
  roots: ['<rootDir>/test/e2e'],
  maxWorkers: 1,
  testTimeout: 180_000,
};
