import type { Knex } from 'knex';

/** One running instance per set of worker keys: who holds the lock, and since when it last said so. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('process_locks', (t) => {
    t.string('lock_key', 300).primary();
    t.integer('pid').notNullable();
    t.string('hostname', 255).notNullable();
    t.bigInteger('started_at').notNullable();
    t.bigInteger('heartbeat_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('process_locks');
}
