import type { Knex } from 'knex';

/**
 * Redeem & unstake share the request and message tables with stake & mint: the same lifecycle, read in
 * the other direction. Rows made before this migration are stakes.
 */
export async function up(knex: Knex): Promise<void> {
  for (const table of ['stake_requests', 'messages']) {
    await knex.schema.alterTable(table, (t) => {
      t.string('direction', 6).notNullable().defaultTo('STAKE');
      t.index(['direction', 'state'], `${table}_direction_state`);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['stake_requests', 'messages']) {
    await knex.schema.alterTable(table, (t) => {
      t.dropIndex(['direction', 'state'], `${table}_direction_state`);
      t.dropColumn('direction');
    });
  }
}
