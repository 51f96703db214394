import type { Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import type { DatabaseTarget } from '../db/database-target';
import { openDatabase } from '../db/open-database';

/** The embedded indexer's SQLite file beside the facilitator's: `facilitator.sqlite` → `facilitator.indexer.sqlite`. */
export function indexerDatabasePath(facilitatorDatabase: string): string {
  const extension = extname(facilitatorDatabase);
  return join(dirname(facilitatorDatabase), `${basename(facilitatorDatabase, extension)}.indexer${extension || '.sqlite'}`);
}

/**
 * Where the embedded indexer keeps its entities, always a database of its own: beside a SQLite database a
 * file next to it (kept, so a restart resumes indexing), beside PostgreSQL a file of this process's own
 * (removed at stop; it stands in for a graph-node of this instance and indexes from the deployment's start
 * blocks, as a fresh graph-node would). Never the facilitator's connection: SQLite serves one statement at
 * a time, and the indexer writes every block and answers every stream's query — on the shared connection
 * those queued ahead of each nonce reservation and signed transaction (≈ 20 ms a statement with 50
 * requests in flight, measured with `npm run bench latency`).
 */
export async function openIndexerDatabase(target: DatabaseTarget, cleanups: Array<() => Promise<void>>): Promise<Knex> {
  if (target.client === 'sqlite') {
    const own = await openDatabase(indexerDatabasePath(target.path), { durability: 'derived' });
    cleanups.push(async () => own.destroy());
    return own;
  }
  const dir = mkdtempSync(join(tmpdir(), 'facilitator-indexer-'));
  const own = await openDatabase(join(dir, 'indexer.sqlite'), { durability: 'derived' });
  cleanups.push(async () => {
    await own.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return own;
}
