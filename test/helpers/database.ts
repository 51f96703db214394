import type { Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/open-database';

export interface TestDatabase {
  knex: Knex;
  path: string;
  close(): Promise<void>;
}

/** A real SQLite file in a fresh temp folder, migrated. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'facilitator-db-'));
  const path = join(dir, 'facilitator.sqlite');
  const knex = await openDatabase(path);
  return {
    knex,
    path,
    close: async () => {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
