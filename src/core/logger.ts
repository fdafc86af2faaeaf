import { type Logger, pino } from 'pino';

/** Keys whose values are never logged (secrets and personal data). */
export const REDACT_PATHS = [
  '*.password',
  '*.secret',
  '*.token',
  '*.api_key',
  '*.apiKey',
  '*.authorization',
  '*.email',
  '*.phone',
  'input.*.email',
  'headers.authorization',
  'headers.cookie',
];

export interface LoggerOptions {
  level?: string;
  /** Destination file descriptor; default 2 (stderr), so stdout stays free for protocols and output. */
  fd?: number;
}

/** Structured JSON logs on stderr with secrets and PII redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'skillgate' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ fd: options.fd ?? 2, sync: false }),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
