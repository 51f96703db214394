import type { Knex } from 'knex';

/**
 * The facilitator's own tables: stake requests, messages (with the unlock secret), gateways, anchors,
 * stream cursors, the transaction outbox with per-worker nonces, and process locks.
 * uint256 values are decimal text; hashes and addresses lowercase 0x-hex. Portable to Postgres.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('stake_requests', (t) => {
    t.string('stake_request_hash', 66).primary();
    t.string('composer', 42).notNullable();
    t.string('gateway', 42).notNullable();
    t.string('staker', 42).notNullable();
    t.string('staker_proxy', 42).notNullable();
    t.string('amount', 80).notNullable();
    t.string('beneficiary', 42).notNullable();
    t.string('gas_price', 80).notNullable();
    t.string('gas_limit', 80).notNullable();
    t.string('nonce', 80).notNullable();
    t.string('block_number', 40).notNullable();
    t.string('transaction_hash', 66).notNullable();
    t.string('state', 20).notNullable();
    t.string('message_hash', 66).nullable();
    t.text('reason').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['state']);
    t.index(['staker']);
  });
  await knex.schema.createTable('messages', (t) => {
    t.string('message_hash', 66).primary();
    t.string('stake_request_hash', 66).notNullable().unique();
    t.string('gateway', 42).notNullable();
    t.string('cogateway', 42).notNullable();
    t.string('sender', 42).notNullable();
    t.string('staker', 42).notNullable();
    t.string('nonce', 80).notNullable();
    t.string('amount', 80).notNullable();
    t.string('beneficiary', 42).notNullable();
    t.string('gas_price', 80).notNullable();
    t.string('gas_limit', 80).notNullable();
    t.string('hash_lock', 66).notNullable();
    t.string('unlock_secret', 66).notNullable();
    t.string('worker', 42).notNullable();
    t.integer('source_status').notNullable();
    t.integer('target_status').notNullable();
    t.string('declaration_height', 40).nullable();
    t.string('confirmed_height', 40).nullable();
    t.string('state', 20).notNullable();
    t.text('reason').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['state']);
    t.index(['staker']);
  });
  await knex.schema.createTable('gateways', (t) => {
    t.string('gateway', 42).primary();
    t.string('cogateway', 42).notNullable();
    t.string('last_proven_height', 40).notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('anchors', (t) => {
    t.string('anchor', 42).primary();
    t.integer('chain_id').notNullable();
    t.string('last_anchored_height', 40).notNullable();
    t.string('state_root', 66).nullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('stream_cursors', (t) => {
    t.string('stream', 100).primary();
    t.bigInteger('through_block').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('transactions', (t) => {
    t.increments('id').primary();
    t.integer('chain_id').notNullable();
    t.string('worker', 42).notNullable();
    t.string('purpose', 40).notNullable();
    t.string('subject', 200).notNullable();
    t.string('to_address', 42).notNullable();
    t.text('data').notNullable();
    t.string('value', 80).notNullable();
    t.string('gas', 40).notNullable();
    t.string('status', 10).notNullable();
    t.string('nonce', 40).nullable();
    t.string('gas_price', 80).nullable();
    t.string('tx_hash', 66).nullable();
    t.text('tx_hashes').notNullable();
    t.text('raw_transaction').nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    t.bigInteger('sent_at').nullable();
    t.bigInteger('not_before').nullable();
    t.string('mined_block', 40).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['chain_id', 'purpose', 'subject']);
    t.index(['chain_id', 'worker', 'status']);
  });
  await knex.schema.createTable('worker_nonces', (t) => {
    t.integer('chain_id').notNullable();
    t.string('worker', 42).notNullable();
    t.string('next_nonce', 40).notNullable();
    t.primary(['chain_id', 'worker']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['worker_nonces', 'transactions', 'stream_cursors', 'anchors', 'gateways', 'messages', 'stake_requests']) {
    await knex.schema.dropTableIfExists(table);
  }
}
