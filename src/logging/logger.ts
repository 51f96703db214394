import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

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

/** `json`: one JSON object per line, for machines; `pretty`: one readable line per entry, for people. */
export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; defaults to stderr so stdout stays free for command output. */
  destination?: NodeJS.WritableStream;
  name?: string;
  /** Default: pretty when the destination is a terminal, JSON lines otherwise (files, pipes, log collectors). */
  format?: LogFormat;
}

/** The format a destination gets unless told: people read terminals, programs read the rest. */
export function defaultLogFormat(destination: { isTTY?: boolean }): LogFormat {
  return destination.isTTY === true ? 'pretty' : 'json';
}

/**
 * Readable lines (pino-pretty, in this process, synchronously): time, level, message, then the fields.
 * Colours only on a terminal, and not under NO_COLOR. pino redacts before it serialises, so what is
 * formatted here is already redacted.
 */
function prettyDestination(destination: NodeJS.WritableStream | undefined): pino.DestinationStream {
  const terminal = (destination ?? process.stderr) as { isTTY?: boolean };
  return pinoPretty({
    destination: destination ?? 2,
    sync: true,
    colorize: terminal.isTTY === true && !process.env.NO_COLOR,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
  });
}

/** Logger (pino) with secrets redacted: JSON lines or pretty lines (see LoggerOptions.format). Level from LOG_LEVEL unless given. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? defaultLogFormat((options.destination ?? process.stderr) as { isTTY?: boolean });
  const destination =
    format === 'pretty'
      ? prettyDestination(options.destination)
      : ((options.destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 2, sync: true }));
  return pino(
    {
      name: options.name ?? 'facilitator',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A logger that drops everything (library defaults, tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
