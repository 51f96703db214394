import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Field names whose values must never reach a log line, wherever they appear in a logged object.
 * Secrets are also kept out of log calls by construction; this is the safety net.
 */
export const REDACTED_PATHS = [
  'privateKey',
  '*.privateKey',
  'unlockSecret',
  '*.unlockSecret',
  'unlock_secret',
  '*.unlock_secret',
  'password',
  '*.password',
  'secretKey',
  '*.secretKey',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; defaults to stderr so stdout stays free for command output. */
  destination?: NodeJS.WritableStream;
  name?: string;
}

/** Structured JSON-lines logger (pino) with secrets redacted. Level from LOG_LEVEL unless given. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'facilitator',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything (library defaults, tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
