import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { indexerDatabasePath } from '../facilitator/indexer-database';

/** The facilitator's database in a devnet folder (`dev`, `demo`): it belongs to the devnet of that folder. */
export const DEVNET_DATABASE = 'facilitator.sqlite';

/**
 * Removes the facilitator's and the embedded indexer's databases (with their -wal/-shm) from a devnet
 * folder. `dev` and `demo` start new chains on every run, so what an earlier run left there describes
 * chains that are gone: its stream cursors stood past the new chain's blocks (the facilitator never saw the
 * new requests) and the indexer took its blocks for a reorganisation. Returns whether there was one.
 */
export function forgetPreviousDevnet(dir: string): boolean {
  const database = join(dir, DEVNET_DATABASE);
  let found = false;
  for (const file of [database, indexerDatabasePath(database)]) {
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        rmSync(`${file}${suffix}`);
        found = true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
  return found;
}
