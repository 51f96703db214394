import { millis, Repository } from './scope';

/** One row of `stream_cursors`: how far an entity stream has been handled. */
export interface StreamCursorRow {
  stream: string;
  /** Last block whose entities were all handled. */
  throughBlock: number;
  /** Id of the last entity handled (to resume paging inside a block); null when the block is done. */
  lastEntityId: string | null;
  updatedAt: number;
}

interface Columns {
  stream: string;
  through_block: number | string;
  last_entity_id: string | null;
  updated_at: number | string;
}

const TABLE = 'stream_cursors';

function toRow(c: Columns): StreamCursorRow {
  return { stream: c.stream, throughBlock: Number(c.through_block), lastEntityId: c.last_entity_id, updatedAt: millis(c.updated_at) };
}

/** The `stream_cursors` table. */
export class StreamCursorRepository extends Repository<StreamCursorRow> {
  async get(stream: string): Promise<StreamCursorRow | undefined> {
    const c = await this.db<Columns>(TABLE).where({ stream }).first();
    return c ? toRow(c) : undefined;
  }

  /** Saves (inserts or replaces) the cursor of `stream`. */
  async save(stream: string, throughBlock: number, lastEntityId: string | null = null): Promise<StreamCursorRow> {
    if (!Number.isSafeInteger(throughBlock) || throughBlock < 0) throw new TypeError(`throughBlock must be a block number, got ${throughBlock}`);
    return this.write(async (trx) => {
      await trx(TABLE)
        .insert({ stream, through_block: throughBlock, last_entity_id: lastEntityId, updated_at: Date.now() })
        .onConflict('stream')
        .merge(['through_block', 'last_entity_id', 'updated_at']);
      const row = toRow((await trx<Columns>(TABLE).where({ stream }).first())!);
      return { result: row, changed: [row] };
    });
  }

  async all(): Promise<StreamCursorRow[]> {
    return (await this.db<Columns>(TABLE).orderBy('stream')).map(toRow);
  }
}
