/**
 * The benchmarks' HTTP client: keep-alive GETs with gzip, and a phase of N requests with a
 * fixed number in flight. The timed phases run in a child process of their own
 * (`startLoadProcess`), so the client never shares the app's event loop or its core: what is
 * measured is the server, as a separate client would see it.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { projectRoot } from '../../src/paths';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Until the last byte arrived, before decompression. */
  ms: number;
}

/** One request of a phase: a GET by default; `expect` is text the answer must hold. */
export interface Target {
  path: string;
  method?: 'GET' | 'POST';
  /** A form body (application/x-www-form-urlencoded). */
  body?: string;
  headers?: Record<string, string>;
  expect?: string;
}

/**
 * The health check: the app's middleware and one `select 1`, a 31-byte answer. The least a
 * request costs on this machine at this load, measured in the same run as the pages, so that
 * figures from a slow spell and a fast one can be set side by side.
 */
export const FLOOR = {
  name: 'floor: /healthz (no target)',
  target: { path: '/healthz', expect: '"status":"ok"' } satisfies Target,
};

/** How a target is named in the figures. */
export const targetName = (target: Target) => `${target.method === 'POST' ? 'POST ' : ''}${target.path}`;

export function makeClient(port: number, concurrency: number, commonHeaders: Record<string, string> = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const send = (target: Target) =>
    new Promise<Reply>((resolve, reject) => {
      const started = performance.now();
      const headers: Record<string, string> = {
        'accept-encoding': 'gzip',
        accept: 'text/html',
        ...commonHeaders,
        ...target.headers,
      };
      if (target.body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = String(Buffer.byteLength(target.body));
      }
      const request = http.request(
        { host: '127.0.0.1', port, path: target.path, method: target.method ?? 'GET', agent, headers },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (part: Buffer) => parts.push(part));
          response.on('error', reject);
          response.on('end', () => {
            const ms = performance.now() - started;
            const raw = Buffer.concat(parts);
            const status = response.statusCode ?? 0;
            const { headers } = response;
            if (headers['content-encoding'] !== 'gzip') {
              resolve({ status, headers, body: raw.toString('utf8'), ms });
              return;
            }
            zlib.gunzip(raw, (error, body) =>
              error ? reject(error) : resolve({ status, headers, body: body.toString('utf8'), ms }),
            );
          });
        },
      );
      request.on('error', reject);
      request.end(target.body);
    });
  const get = (path: string) => send({ path });
  return { get, send, close: () => agent.destroy() };
}

/** A catalog page that rendered: rows, or the empty state. */
export function problemWith(reply: Reply, expect?: string): string | undefined {
  if (reply.status !== 200) return `status ${reply.status}`;
  if (expect !== undefined) return reply.body.includes(expect) ? undefined : `no "${expect}" in the answer`;
  if (!reply.body.includes('id="rows"') && !reply.body.includes('Nothing matches')) return 'no rows and no empty state';
  return undefined;
}

export interface PhaseResult {
  latencies: number[];
  /** The same latencies by URL, for scenarios that cycle through several. */
  byPath: Map<string, number[]>;
  errors: number;
  firstError: string | undefined;
  wallMs: number;
}

/** `total` requests with `concurrency` in flight, cycling through the scenario's paths. */
async function runPhase(
  send: (target: Target) => Promise<Reply>,
  targets: Target[],
  total: number,
  concurrency: number,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  const byPath = new Map<string, number[]>(targets.map((target) => [targetName(target), []]));
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      const target = targets[i % targets.length]!;
      const name = targetName(target);
      try {
        const reply = await send(target);
        latencies.push(reply.ms);
        byPath.get(name)?.push(reply.ms);
        const problem = problemWith(reply, target.expect);
        if (problem) {
          errors += 1;
          firstError ??= `${name}: ${problem}`;
        }
      } catch (error) {
        errors += 1;
        firstError ??= `${name}: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { latencies, byPath, errors, firstError, wallMs: performance.now() - started };
}

export interface PhaseRequest {
  port: number;
  targets: Target[];
  total: number;
  concurrency: number;
  /** Sent with every request (a session cookie, say). */
  headers?: Record<string, string>;
}

/** A phase measured in this process (the child's side of startLoadProcess). */
export async function measurePhase(request: PhaseRequest): Promise<PhaseResult> {
  const client = makeClient(request.port, request.concurrency, request.headers);
  try {
    return await runPhase(client.send, request.targets, request.total, request.concurrency);
  } finally {
    client.close();
  }
}

/** A port nobody listens on now (the kernel's choice), for a server started in another process. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/**
 * The app as `npm start` runs it, src/server.ts in production mode with WEB_CONCURRENCY
 * `processes`, on an already prepared database (no migration, no seed), on 127.0.0.1. Resolves
 * once /healthz answers. Its logs go to this process's output, at `logLevel`.
 */
export async function startServerProcess(options: {
  databaseUrl: string;
  processes: number;
  poolMax: number;
  logLevel: string;
  /** More environment for the server (TRUST_PROXY, say). */
  env?: Record<string, string>;
}): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...process.execArgv, path.join(projectRoot, 'src', 'server.ts')], {
    cwd: projectRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: options.databaseUrl,
      DATABASE_POOL_MAX: String(options.poolMax),
      WEB_CONCURRENCY: String(options.processes),
      PORT: String(port),
      HOST: '127.0.0.1',
      MIGRATE_ON_START: 'false',
      SEED_ON_START: 'false',
      SESSION_SECRET: 'a-bench-secret-that-is-at-least-32-characters-long',
      LOG_LEVEL: options.logLevel,
      ...options.env,
    },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const client = makeClient(port, 1);
  try {
    for (const started = performance.now(); ;) {
      const ready = await client.get('/healthz').then(
        (reply) => reply.status === 200,
        () => false,
      );
      if (ready) break;
      if (child.exitCode !== null) throw new Error(`the server process stopped (exit code ${child.exitCode})`);
      if (performance.now() - started > 60_000) throw new Error('the server process did not answer within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  } finally {
    client.close();
  }
  return {
    port,
    pid: child.pid ?? 0,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const CHILD_FLAG = '--bench-load-process';

/**
 * Forks this module as the load generator. Each `run` sends it one phase and resolves with the
 * phase's figures ("advanced" serialization carries the Map across).
 */
export function startLoadProcess(): {
  pid: number;
  run(request: PhaseRequest): Promise<PhaseResult>;
  close(): void;
} {
  const child: ChildProcess = fork(__filename, [CHILD_FLAG], { serialization: 'advanced' });
  let pending: { resolve(result: PhaseResult): void; reject(error: Error): void } | undefined;
  child.on('message', (message: { result?: PhaseResult; error?: string }) => {
    const waiting = pending;
    pending = undefined;
    if (message.error !== undefined) waiting?.reject(new Error(message.error));
    else if (message.result) waiting?.resolve(message.result);
  });
  child.on('exit', (code) => pending?.reject(new Error(`the load process stopped (exit code ${code})`)));
  return {
    pid: child.pid ?? 0,
    run: (request) =>
      new Promise<PhaseResult>((resolve, reject) => {
        if (pending) throw new Error('one phase at a time');
        pending = { resolve, reject };
        child.send(request);
      }),
    close: () => {
      child.disconnect();
    },
  };
}

if (process.argv.includes(CHILD_FLAG) && process.send) {
  process.on('message', (request: PhaseRequest) => {
    measurePhase(request).then(
      (result) => process.send?.({ result }),
      (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}
