import type { Knex } from 'knex';
import type { EntityFieldInfo } from '../wasm/types';
import { toColumn } from './column-codec';
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

/** The versions alive now (block_to null) of the given ids: id -> version. */
export async function liveVersions(trx: Knex.Transaction, table: string, ids: ReadonlySet<string>): Promise<Map<string, StoredVersion>> {
  const live = new Map<string, StoredVersion>();
  for (const part of chunks([...ids], MAX_BINDINGS)) {
    const rows = (await trx(table).select('vid', 'id', 'block_from').whereNull('block_to').whereIn('id', part)) as Array<{
      vid: number | string;
      id: string;
      block_from: number | string;
    }>;
    for (const row of rows) live.set(row.id, { vid: Number(row.vid), blockFrom: Number(row.block_from) });
  }
  return live;
}

/** Multi-row `insert … values (…), (…)`: knex's SQLite form (a union of selects) allows only 500 rows. */
async function insertRows(trx: Knex.Transaction, table: string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): Promise<void> {
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  const head = `insert into ?? (${columns.map(() => '??').join(', ')}) values `;
  for (const part of chunks(rows, Math.max(1, Math.floor(MAX_BINDINGS / columns.length)))) {
    const sql = head + part.map(() => placeholders).join(', ');
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
  const rows = plan.inserts.map((version) => [
    version.id,
    version.blockFrom,
    version.blockTo,
    ...fields.map((field) => toColumn(field, version.data.get(field.name))),
  ]);
  await insertRows(trx, table, columns, rows);
}

/** Records blocks (replacing any recorded at the same height). */
export async function recordBlocks(
  trx: Knex.Transaction,
  table: string,
  blocks: ReadonlyArray<{ number: bigint; hash: string; parentHash: string; timestamp: bigint }>,
): Promise<void> {
  const rows = blocks.map((block) => ({
    number: Number(block.number),
    hash: block.hash.toLowerCase(),
    parent_hash: block.parentHash.toLowerCase(),
    timestamp: Number(block.timestamp),
  }));
  // knex writes SQLite's multi-row insert as a union of selects: at most 500 of them.
  for (const part of chunks(rows, 400)) await trx(table).insert(part).onConflict('number').merge();
}
