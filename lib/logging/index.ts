import pino from 'pino';
import { redactText } from '@/lib/redaction';
import { exposedSecretValues } from '@/lib/secrets';
import { setting } from '@/lib/server/env';

/**
 * Structured JSON logs on stdout. Redaction is a second line of defence: secrets should never reach a
 * log call, but if one does (a header object, an error message quoting a URL or a body), each line is
 * redacted like the call log: credential fields and parameters by name, and every encoding of every
 * exposed secret.
 */
export const log = pino({
  level: setting('LOG_LEVEL') ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
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
  hooks: {
    streamWrite: (line) => {
      const secrets = exposedSecretValues();
      return `${redactText(line.trimEnd(), { secrets })}\n`;
    },
  },
});
