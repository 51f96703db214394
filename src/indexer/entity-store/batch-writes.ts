import type { Knex } from 'knex';
import type { EntityFieldInfo } from '../wasm/types';
import { entityColumns } from './column-codec';
import type { StoredVersion, TablePlan } from './write-plan';

/**
 * A batch's entity writes in few statements: live versions looked up, inserted, closed and deleted
 * many rows per statement, so that a range of blocks costs a handful of round trips, not several per
 * entity. Statements stay under SQLite's and PostgreSQL's bound-parameter limits (32,766 and 65,535).
 */

const MAX_BINDINGS = 8_000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * SQLite reads many values from one JSON text bound once (json_each), parsed in C on the database's
 * thread: no per-value bindings to build, format and convert in JavaScript, no binding limit.
 */
function isSqlite(trx: Knex.Transaction): boolean {
  return !/^(pg|postgres)/.test(String(trx.client.config.client));
}

/** The versions alive now (block_to null) of the given ids: id -> version. */
export async function liveVersions(trx: Knex.Transaction, table: string, ids: ReadonlySet<string>): Promise<Map<string, StoredVersion>> {
  const live = new Map<string, StoredVersion>();
  const select = () => trx(table).select('vid', 'id', 'block_from').whereNull('block_to');
  const queries = isSqlite(trx)
    ? [select().whereRaw('id in (select value from json_each(?))', [JSON.stringify([...ids])])]
    : chunks([...ids], MAX_BINDINGS).map((part) => select().whereIn('id', part));
  for (const query of queries) {
    const rows = (await query) as Array<{ vid: number | string; id: string; block_from: number | string }>;
    for (const row of rows) live.set(row.id, { vid: Number(row.vid), blockFrom: Number(row.block_from) });
  }
  return live;
}

/**
 * Multi-row insert: in SQLite one statement selecting the rows from a JSON array of arrays, in
 * PostgreSQL `insert … values (…), (…)` under the binding limit (knex's SQLite form, a union of
 * selects, allows only 500 rows). `conflict` is appended (an upsert clause).
 */
async function insertRows(trx: Knex.Transaction, table: string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>, conflict = ''): Promise<void> {
  const head = `insert into ?? (${columns.map(() => '??').join(', ')}) `;
  if (isSqlite(trx)) {
    // jsonb: parsed once, not again by each `->>`; `where true`: an upsert after a select needs it (SQLite's parsing ambiguity with a join's ON).
    const select = `select ${columns.map((_, i) => `value ->> ${i}`).join(', ')} from json_each(jsonb(?)) where true `;
    await trx.raw(head + select + conflict, [table, ...columns, JSON.stringify(rows)]);
    return;
  }
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  for (const part of chunks(rows, Math.max(1, Math.floor(MAX_BINDINGS / columns.length)))) {
    const sql = `${head}values ${part.map(() => placeholders).join(', ')} ${conflict}`;
    await trx.raw(sql, [table, ...columns, ...part.flat()] as Knex.RawBinding[]);
  }
}

/** Applies one table's plan: deletes and closes of stored versions, then the new versions. */
export async function applyTablePlan(trx: Knex.Transaction, table: string, plan: TablePlan, fields: readonly EntityFieldInfo[]): Promise<void> {
  for (const part of chunks(plan.deletes, MAX_BINDINGS)) await trx(table).whereIn('vid', part).delete();
  for (const [blockTo, vids] of plan.closes) {
    for (const part of chunks(vids, MAX_BINDINGS)) await trx(table).whereIn('vid', part).update({ block_to: blockTo });
  }
  if (plan.inserts.length === 0) return;
  const columns = ['id', 'block_from', 'block_to', ...fields.map((field) => `f_${field.name}`)];
  const rows = plan.inserts.map((version) => [version.id, version.blockFrom, version.blockTo, ...entityColumns(fields, version.data)]);
  await insertRows(trx, table, columns, rows);
}

/** Records blocks (replacing any recorded at the same height). */
export async function recordBlocks(
  trx: Knex.Transaction,
  table: string,
  blocks: ReadonlyArray<{ number: bigint; hash: string; parentHash: string; timestamp: bigint }>,
): Promise<void> {
  const rows = blocks.map((block) => [Number(block.number), block.hash.toLowerCase(), block.parentHash.toLowerCase(), Number(block.timestamp)]);
  const replace = 'on conflict (number) do update set hash = excluded.hash, parent_hash = excluded.parent_hash, timestamp = excluded.timestamp';
  await insertRows(trx, table, ['number', 'hash', 'parent_hash', 'timestamp'], rows, replace);
}
