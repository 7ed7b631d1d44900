import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../../src/paths';
import databaseSetup from '../../support/global-setup';
import { assertChromiumInstalled } from './browser';

/**
 * Fails the whole run at once, with the install hint, when Chromium is missing (before any
 * database work); clears the output folder so only this run's screenshots and figures remain.
 */
export default async function globalSetup(): Promise<void> {
  assertChromiumInstalled();
  fs.rmSync(path.join(projectRoot, 'test-output'), { recursive: true, force: true });
  fs.mkdirSync(path.join(projectRoot, 'test-output', 'screenshots'), { recursive: true });
  await databaseSetup();
}
