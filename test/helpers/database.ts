import knexFactory, { type Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as facilitationCore from '../../migrations/20261123000100_facilitation_core';

export interface TestDatabase {
  knex: Knex;
  path: string;
  close(): Promise<void>;
}

/** A real SQLite file in a fresh temp folder, migrated. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'facilitator-db-'));
  const path = join(dir, 'facilitator.sqlite');
  const knex = knexFactory({ client: 'sqlite3', connection: { filename: path }, useNullAsDefault: true });
  await knex.migrate.latest({
    migrationSource: {
      getMigrations: async () => ['20261123000100_facilitation_core'],
      getMigrationName: (name: string) => name,
      getMigration: async () => facilitationCore,
    },
  });
  return {
    knex,
    path,
    close: async () => {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
