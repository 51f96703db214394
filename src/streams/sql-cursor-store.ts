import type { Knex } from 'knex';
import type { StreamCursorStore } from './entity-stream';
import { withStoreErrors } from '../db/store-error';

/** Stream cursors in the `stream_cursors` table. */
export class SqlCursorStore implements StreamCursorStore {
  constructor(private readonly knex: Knex) {}

  async load(stream: string): Promise<number | undefined> {
    return withStoreErrors('stream_cursors.load', async () => {
      const row = await this.knex('stream_cursors').where({ stream }).first();
      return row ? Number(row.through_block) : undefined;
    });
  }

  async save(stream: string, throughBlock: number): Promise<void> {
    return withStoreErrors('stream_cursors.save', async () => {
      await this.knex('stream_cursors')
        .insert({ stream, through_block: throughBlock, updated_at: Date.now() })
        .onConflict('stream')
        .merge(['through_block', 'updated_at']);
    });
  }

  async all(): Promise<Array<{ stream: string; throughBlock: number }>> {
    return withStoreErrors('stream_cursors.all', async () => {
      const rows = await this.knex('stream_cursors').orderBy('stream');
      return rows.map((r: { stream: string; through_block: number | string }) => ({ stream: r.stream, throughBlock: Number(r.through_block) }));
    });
  }
}
