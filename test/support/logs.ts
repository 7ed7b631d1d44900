import { Writable } from 'node:stream';
import pino from 'pino';

/** A JSON log line as pino writes it. */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** A logger whose lines the test reads, parsed, as they are written. */
export function capturedLogger(level: pino.LevelWithSilent = 'info') {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
