import type { Knex } from 'knex';

/**
 * The process lock becomes a lease with a fencing token: `epoch` grows by one at every takeover (never
 * reused: a released lock keeps its row, pid 0), and every nonce reservation and signed transaction is
 * written only while the writer's epoch is current. `process_start` (the holder's start time in clock
 * ticks, from /proc) tells a live holder from another process that reused its pid.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('process_locks', (t) => {
    t.bigInteger('epoch').notNullable().defaultTo(0);
    t.string('process_start', 40).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('process_locks', (t) => {
    t.dropColumn('epoch');
    t.dropColumn('process_start');
  });
}
