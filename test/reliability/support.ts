import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as cheerio from 'cheerio';
import pino from 'pino';
import { EmbeddedPostgres } from '../../src/database/embedded';

/** A PostgreSQL cluster of a test's own, from the embedded binaries, so the test may kill it. */
export async function startCluster(clusterDir: string, port?: number): Promise<EmbeddedPostgres> {
  return EmbeddedPostgres.start({
    clusterDir,
    logger: pino({ level: 'silent' }),
    supervise: false,
    ...(port ? { port } : {}),
  });
}

export function tempDir(prefix: string): string {
  // Under the system's temporary folder, which the postgres user (when run as root) can reach.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** The postmaster's pid from the cluster's lock file. */
export function postmasterPid(clusterDir: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]!, 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Outcome {
  answer?: Answer;
  /** The client's error when no HTTP response came (reset, refused, timeout). */
  error?: string;
  /** The request went out on a socket that had carried an earlier request. */
  reusedSocket: boolean;
}

/**
 * A browser-like client of one user: a keep-alive agent and one cookie jar (the session cookie
 * and whatever else the app sets). Each request has a deadline, so a request that hangs counts
 * as answered by nothing.
 */
export function makeClient(port: number, { sockets = 2, timeoutMs = 15_000 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const send = (
    method: 'GET' | 'POST',
    urlPath: string,
    options: { form?: Record<string, string>; headers?: Record<string, string> } = {},
  ) =>
    new Promise<Outcome>((resolve) => {
      const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
      const headers: Record<string, string> = { accept: 'text/html', ...options.headers };
      if (cookies.size) headers.cookie = cookieHeader();
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      const request = http.request({ host: '127.0.0.1', port, path: urlPath, method, agent, headers }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('error', (error) => resolve({ error: error.message, reusedSocket: request.reusedSocket }));
        response.on('end', () => {
          for (const line of response.headers['set-cookie'] ?? []) {
            const [pair] = line.split(';');
            const at = pair!.indexOf('=');
            cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
          }
          resolve({
            answer: { status: response.statusCode ?? 0, headers: response.headers, body: text },
            reusedSocket: request.reusedSocket,
          });
        });
      });
      request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ error: error.code ?? error.message, reusedSocket: request.reusedSocket }),
      );
      request.end(body);
    });
  return {
    get: (urlPath: string, headers?: Record<string, string>) => send('GET', urlPath, { headers }),
    post: (urlPath: string, form: Record<string, string>, headers?: Record<string, string>) =>
      send('POST', urlPath, { form, headers }),
    cookies,
    close: () => agent.destroy(),
  };
}

export type Client = ReturnType<typeof makeClient>;

/** The CSRF token of the first form on a page. */
export function csrfToken(html: string): string {
  const token = cheerio.load(html)('input[name="_csrf"]').first().val();
  if (typeof token !== 'string' || !token) throw new Error('no CSRF token on the page');
  return token;
}

/** Signs a client in through the real form; throws unless the app answers with a redirect. */
export async function signIn(client: Client, username: string, password: string): Promise<void> {
  const page = await client.get('/login');
  if (!page.answer) throw new Error(`/login: ${page.error}`);
  const result = await client.post('/login', { username, password, _csrf: csrfToken(page.answer.body) });
  if (result.answer?.status !== 303) throw new Error(`sign-in answered ${result.answer?.status ?? result.error}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts of a list of labels, for printing. */
export function tally(labels: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
