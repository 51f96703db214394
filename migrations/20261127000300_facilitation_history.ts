import type { Knex } from 'knex';

/**
 * Every change of a request's or message's state (and of a message's box statuses), written by the
 * store in the transaction that makes it: what happened, when, and the block and transaction that
 * showed it when known. Operators read it to see how a facilitation got where it is.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('facilitation_history', (t) => {
    t.increments('id').primary();
    t.string('direction', 6).notNullable();
    t.string('record', 7).notNullable(); // request | message
    t.string('hash', 66).notNullable();
    t.string('from_state', 20).nullable();
    t.string('to_state', 20).notNullable();
    t.integer('source_status').nullable();
    t.integer('target_status').nullable();
    t.string('event', 40).notNullable();
    t.string('reason', 1000).nullable();
    t.string('block_number', 40).nullable();
    t.string('tx_hash', 66).nullable();
    t.bigInteger('at').notNullable();
    t.index(['hash', 'id'], 'facilitation_history_hash');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('facilitation_history');
}
