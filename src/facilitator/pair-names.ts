import type { Knex } from 'knex';
import { withStoreErrors } from '../db/store-error';
import type { SqlCursorStore } from '../streams/sql-cursor-store';

/**
 * Where a database records which pair owns the names without a chain id (`origin.X` streams, `sg_origin`
 * entities): a row of stream_cursors whose "block" is that pair's auxiliary chain id. No stream has this name.
 */
export const UNPREFIXED_PAIR_MARKER = 'facilitator.unprefixedAuxChainId';

/** How one pair's rows are named in a database shared by several pairs. */
export interface PairNames {
  /** Before each stream name: '' or `<aux chain id>/`. */
  streamPrefix: string;
  /** After `sg_<side>` in the embedded indexer's tables: '' or `_<aux chain id>`. */
  namespaceSuffix: string;
}

/**
 * The names of each pair of `start --chains`. A database a single-pair facilitator used keeps its
 * names for that pair: its streams and entities carry no chain id. Which pair that is comes from the
 * marker; without one, from the auxiliary chain the database sent transactions on, else it is the
 * first chain listed. The marker is written then, so the names never move to another pair after.
 */
export async function pairNamesOf(
  knex: Knex,
  cursors: SqlCursorStore,
  originChainId: number,
  auxChainIds: number[],
): Promise<Map<number, PairNames>> {
  let owner = await cursors.load(UNPREFIXED_PAIR_MARKER);
  if (owner === undefined) {
    owner = (await auxChainsWithTransactions(knex, originChainId))[0] ?? auxChainIds[0];
    await cursors.save(UNPREFIXED_PAIR_MARKER, owner);
  }
  return new Map(
    auxChainIds.map((id) => [id, id === owner ? { streamPrefix: '', namespaceSuffix: '' } : { streamPrefix: `${id}/`, namespaceSuffix: `_${id}` }]),
  );
}

async function auxChainsWithTransactions(knex: Knex, originChainId: number): Promise<number[]> {
  return withStoreErrors('transactions.chains', async () => {
    const rows = (await knex('transactions').distinct('chain_id').whereNot('chain_id', originChainId)) as Array<{ chain_id: number | string }>;
    return rows.map((row) => Number(row.chain_id));
  });
}
