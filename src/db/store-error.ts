import { FacilitatorError } from '../errors/facilitator-error';

/**
 * Driver codes of failures that pass on their own: a busy or locked SQLite database, a Postgres
 * serialization failure, deadlock or lost connection, knex's connection-pool timeout.
 */
const RETRYABLE_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_PROTOCOL',
  'KnexTimeoutError',
  '40001',
  '40P01',
  '57P01',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
]);
/** Postgres connection-exception class. */
const RETRYABLE_CODE_PREFIXES = ['08'];

/**
 * A database operation failed. Knex puts the SQL and its bound values in its error messages (an unlock
 * secret reached a log that way): this error keeps only the operation's name and the driver's code,
 * and no cause, so neither its message, its stack nor its JSON can carry a value.
 */
export class StoreError extends FacilitatorError {
  override readonly name: string = 'StoreError';
  /** The driver's code (SQLITE_BUSY, SQLITE_CONSTRAINT_UNIQUE, a Postgres SQLSTATE), or the error's class name. */
  readonly code: string;

  constructor(
    readonly operation: string,
    code: string,
  ) {
    super(`database ${operation} failed (${code})`, { retryable: isRetryableCode(code), details: { operation, code } });
    this.code = code;
  }

  /** What a log line or JSON.stringify shows: name, message, operation and code. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, operation: this.operation, code: this.code, retryable: this.retryable };
  }
}

function isRetryableCode(code: string): boolean {
  const base = code.split('_').slice(0, 2).join('_'); // SQLITE_BUSY_SNAPSHOT → SQLITE_BUSY
  return RETRYABLE_CODES.has(code) || RETRYABLE_CODES.has(base) || RETRYABLE_CODE_PREFIXES.some((prefix) => code.startsWith(prefix));
}

/** The driver code of a knex/sqlite3/pg error, else its class name (never its message: it holds the SQL). */
export function driverCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length > 0) return code;
  return error instanceof Error ? error.name : 'unknown';
}

/**
 * Runs a database operation; a failure becomes a StoreError naming `operation`. Errors already
 * classified (a FacilitatorError thrown by the operation's own logic) pass through unchanged.
 */
export async function withStoreErrors<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof FacilitatorError) throw error;
    throw new StoreError(operation, driverCodeOf(error));
  }
}
