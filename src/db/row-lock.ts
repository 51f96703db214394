import type { Knex } from 'knex';

/** Whether the connection is PostgreSQL (concurrent transactions) rather than SQLite (one writer at a time). */
export function isPostgres(knex: Knex | Knex.Transaction): boolean {
  const client = (knex.client as { config?: { client?: unknown } }).config?.client;
  return client === 'pg' || client === 'postgres' || client === 'postgresql';
}

/**
 * A read whose rows the transaction will write back: locked until the commit on PostgreSQL (SELECT …
 * FOR UPDATE), so two transactions never both act on the same old value. SQLite runs one write
 * transaction at a time and has no row locks: the query is left as it is.
 */
export function forWrite<T extends Knex.QueryBuilder>(trx: Knex.Transaction, query: T): T {
  return isPostgres(trx) ? (query.forUpdate() as T) : query;
}

/**
 * Serializes the transactions about one key (a request hash) on PostgreSQL until the commit
 * (pg_advisory_xact_lock), also when its rows do not exist yet and cannot be locked. SQLite: nothing.
 */
export async function lockKey(trx: Knex.Transaction, key: string): Promise<void> {
  if (isPostgres(trx)) await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [key]);
}
