import pino from 'pino';

/**
 * Structured JSON logs on stdout. Redaction is a second line of defence: secrets should never reach a
 * log call, but if a header object does, its credentials are censored.
 */
export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
  base: { service: 'breakwater' },
  redact: {
    paths: [
      'password',
      '*.password',
      'token',
      '*.token',
      'headers.authorization',
      'headers.cookie',
      'headers["x-api-key"]',
      '*.headers.authorization',
      '*.headers.cookie',
    ],
    censor: '[redacted]',
  },
});

export type Logger = typeof log;

/** A child logger whose every line carries the request id. */
export function requestLogger(requestId: string): Logger {
  return log.child({ requestId });
}
