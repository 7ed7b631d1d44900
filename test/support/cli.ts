import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/paths';

/** Runs one of src/cli's commands (as `npm run` does, through tsx) against the database at `databaseUrl`. */
export function runCliCommand(
  script: string,
  databaseUrl: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(projectRoot, 'node_modules', '.bin', 'tsx'), [`src/cli/${script}`, ...args], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'test' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
