import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/paths';

export interface ServerRun {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  port?: number;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/**
 * Runs src/server.ts in a child process, as `npm start` would, with the given environment on
 * top of this one (minus DATABASE_URL unless given). Waits until it listens, or until it exits.
 */
export function runServer(env: Record<string, string>, { until }: { until: 'listening' | 'exit' }): Promise<ServerRun> {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  // Node itself with tsx as a loader, not the tsx command: that wrapper relays a signal and, when
  // a busy server does not acknowledge it within 30 ms, kills it outright — not what a signal to
  // `node dist/src/server.js` does, and it would hide how shutdown really behaves.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'server.ts')], {
    cwd: projectRoot,
    env: { ...base, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { child, stdout: '', stderr: '', exitCode: null } as ServerRun;
  run.exited = new Promise((resolve) =>
    child.on('exit', (code) => {
      run.exitCode = code;
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      run.stdout += chunk.toString();
      const match = /running at http:\/\/localhost:(\d+)/.exec(run.stdout);
      if (until === 'listening' && match && run.port === undefined) {
        run.port = Number(match[1]);
        resolve(run);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
    child.on('error', reject);
    void run.exited.then(() => resolve(run));
  });
}
