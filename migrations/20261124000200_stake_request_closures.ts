import type { Knex } from 'knex';

/**
 * StakeRevoked / StakeRejected seen before the StakeRequested they close (the streams catch up
 * independently): kept here so the request is recorded closed when it arrives, never accepted.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('stake_request_closures', (t) => {
    t.string('stake_request_hash', 66).primary();
    t.string('state', 20).notNullable();
    t.bigInteger('created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('stake_request_closures');
}
