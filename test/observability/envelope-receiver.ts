import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export interface Envelope {
  /** The bytes as they arrived (unzipped if the SDK gzipped them), for "never contains" checks. */
  raw: string;
  /** The first item of type "event", parsed. */
  event: Record<string, unknown> | undefined;
}

export interface EnvelopeReceiver {
  /** A DSN that sends this receiver's project 1 everything, over loopback. */
  dsn: string;
  envelopes: Envelope[];
  /** Resolves once `count` envelopes have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<Envelope[]>;
  close(): Promise<void>;
}

function firstEvent(raw: string): Record<string, unknown> | undefined {
  // An envelope: a header line, then pairs of item header and item payload.
  const lines = raw.split('\n');
  for (let i = 1; i + 1 < lines.length; i += 2) {
    const header = JSON.parse(lines[i]!) as { type?: string };
    if (header.type === 'event') return JSON.parse(lines[i + 1]!) as Record<string, unknown>;
  }
  return undefined;
}

/** Stands in for Sentry's ingest: an HTTP server on 127.0.0.1 that keeps every envelope posted. */
export async function startEnvelopeReceiver(): Promise<EnvelopeReceiver> {
  const envelopes: Envelope[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const raw = (req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(body) : body).toString('utf8');
      envelopes.push({ raw, event: firstEvent(raw) });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://publickey@127.0.0.1:${port}/1`,
    envelopes,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (envelopes.length < count) {
        if (Date.now() > deadline) throw new Error(`${envelopes.length} envelopes arrived, not ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return envelopes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
