import type { Knex } from 'knex';
import { Subject, type Observable } from 'rxjs';

/**
 * Where a repository reads and writes: the root knex, or one open transaction whose change
 * notifications wait in `pending` until it commits (and are dropped if it rolls back).
 */
export interface Scope {
  readonly knex: Knex;
  readonly trx?: Knex.Transaction;
  readonly pending?: Array<() => void>;
}

export function rootScope(knex: Knex): Scope {
  return { knex };
}

/**
 * The base of every repository: `changes$` emits each row a write changed, only once that write is
 * committed. A write outside `Repositories.inTransaction` runs in its own transaction and emits
 * right after it; inside one, it runs in a savepoint (atomic on its own) and its rows are emitted
 * after the outer commit, in write order.
 */
export abstract class Repository<Row> {
  readonly changes$: Observable<Row>;

  constructor(
    protected readonly scope: Scope,
    private readonly subject: Subject<Row> = new Subject<Row>(),
  ) {
    this.changes$ = subject.asObservable();
  }

  /** Reads go through the open transaction when there is one (SQLite has a single connection). */
  protected get db(): Knex | Knex.Transaction {
    return this.scope.trx ?? this.scope.knex;
  }

  protected async write<T>(work: (trx: Knex.Transaction) => Promise<{ result: T; changed: Row[] }>): Promise<T> {
    const { trx, pending } = this.scope;
    if (trx && pending) {
      const { result, changed } = await trx.transaction(work);
      for (const row of changed) pending.push(() => this.subject.next(row));
      return result;
    }
    const { result, changed } = await this.scope.knex.transaction(work);
    for (const row of changed) this.subject.next(row);
    return result;
  }
}

/** Timestamps are milliseconds since the epoch (bigint columns: Postgres returns them as strings). */
export function millis(value: unknown): number {
  return Number(value);
}

export function nullableMillis(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** A uint256 as decimal text (how the database stores it). */
export type Uint = string | bigint | number;

export function uint(value: Uint, field: string): string {
  const text = typeof value === 'string' ? value : value.toString();
  if (!/^\d+$/.test(text) || (typeof value === 'number' && !Number.isSafeInteger(value))) {
    throw new TypeError(`${field} must be a non-negative whole number (decimal text or bigint), got ${JSON.stringify(String(value))}`);
  }
  return typeof value === 'string' ? BigInt(text).toString() : text;
}

export function nullableUint(value: Uint | null | undefined, field: string): string | null {
  return value === null || value === undefined ? null : uint(value, field);
}

/** Hashes and addresses are stored as lowercase 0x-hex. */
export function hex(value: string, field: string): string {
  if (!/^0x[0-9a-fA-F]*$/.test(value)) throw new TypeError(`${field} must be 0x-prefixed hex, got ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

export function nullableHex(value: string | null | undefined, field: string): string | null {
  return value === null || value === undefined ? null : hex(value, field);
}

/** `ORDER BY` a decimal-text column numerically (portable: SQLite and Postgres both CAST to BIGINT). */
export function numericOrder(column: string): string {
  return `CAST(${column} AS BIGINT)`;
}

export interface Page {
  first?: number;
  skip?: number;
}
