import type { Knex } from 'knex';

/**
 * Type-2 transactions: `gas_price` keeps the legacy gas price or, for type 2, maxFeePerGas; the tip
 * and the type are new. Rows signed before this migration are legacy (type 0).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('transactions', (t) => {
    t.integer('tx_type').nullable();
    t.string('max_priority_fee_per_gas', 80).nullable();
  });
  await knex('transactions').whereNotNull('gas_price').update({ tx_type: 0 });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('transactions', (t) => {
    t.dropColumn('tx_type');
    t.dropColumn('max_priority_fee_per_gas');
  });
}
