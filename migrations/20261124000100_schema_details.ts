import type { Knex } from 'knex';

/**
 * Columns the first schema left out (all nullable or defaulted, so writers of the first schema keep working):
 * - stake_requests.origin_chain_id: chain of the StakeRequested event (with `gateway`, says which gateway).
 * - messages.type: 'stake' (redeem later).
 * - gateways.chain_id, anchor, bounty, activated: where the gateway lives and what it is tied to.
 *   `cogateway` is the remote gateway; `last_proven_height` the highest height of this gateway's chain
 *   proven on the remote side.
 * - stream_cursors.last_entity_id: the id of the last entity handled at `through_block` (page resume).
 * Also indexes for the engine's queries.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('stake_requests', (t) => {
    t.integer('origin_chain_id').nullable();
  });
  await knex.schema.alterTable('messages', (t) => {
    t.string('type', 20).notNullable().defaultTo('stake');
  });
  await knex.schema.alterTable('gateways', (t) => {
    t.integer('chain_id').nullable();
    t.string('anchor', 42).nullable();
    t.string('bounty', 80).nullable();
    t.boolean('activated').nullable();
  });
  await knex.schema.alterTable('stream_cursors', (t) => {
    t.string('last_entity_id', 200).nullable();
  });
  await knex.schema.alterTable('transactions', (t) => {
    t.index(['status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('transactions', (t) => {
    t.dropIndex(['status']);
  });
  await knex.schema.alterTable('stream_cursors', (t) => {
    t.dropColumn('last_entity_id');
  });
  await knex.schema.alterTable('gateways', (t) => {
    t.dropColumns('chain_id', 'anchor', 'bounty', 'activated');
  });
  await knex.schema.alterTable('messages', (t) => {
    t.dropColumn('type');
  });
  await knex.schema.alterTable('stake_requests', (t) => {
    t.dropColumn('origin_chain_id');
  });
}
