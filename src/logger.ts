import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Anything that could carry a secret is redacted here, once, so no
 * call site has to remember: cookies, authorisation headers, passwords and connection strings.
 */
export function createLogger(level: pino.LevelWithSilent): Logger {
  return pino({
    level,
    base: { app: 'omnimediatrak' },
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.passwordHash',
        '*.password_hash',
        '*.connectionString',
        '*.databaseUrl',
      ],
      censor: '[redacted]',
    },
  });
}
