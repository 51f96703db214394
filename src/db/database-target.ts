import { redactUrl } from '../logging/redact-url';

/**
 * Where the facilitator keeps its state: a SQLite file (the default: one process, one machine) or a
 * PostgreSQL database (several processes, an active/standby pair, several hosts).
 */
export type DatabaseTarget =
  | { client: 'sqlite'; path: string }
  /** `password` comes from MOSAIC_DB_PASSWORD or a prompt, never from a log or an error: see describeTarget. */
  | { client: 'postgres'; url: string; password?: string };

/** The environment variable holding the PostgreSQL password when the URL does not. */
export const DB_PASSWORD_ENV = 'MOSAIC_DB_PASSWORD';

/** A target as logs and errors name it (the URL's credentials hidden). */
export function describeTarget(target: DatabaseTarget): string {
  return target.client === 'sqlite' ? target.path : redactUrl(target.url);
}

/** Whether the URL names a PostgreSQL server. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\/[^\s]+$/.test(url);
}

/** Whether the URL carries its own password (then MOSAIC_DB_PASSWORD is not needed). */
export function urlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}
