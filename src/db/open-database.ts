import knexFactory, { type Knex } from 'knex';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from '../../migrations';

const migrationSource: Knex.MigrationSource<[string, Knex.Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};

/**
 * Opens (creating if needed) the facilitator's SQLite database and brings its schema up to date.
 * WAL lets the status API read while the engine writes; busy_timeout rides out short write locks.
 */
export async function openDatabase(path: string): Promise<Knex> {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw new Error(`cannot create the database folder ${dirname(path)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const knex = knexFactory({
    client: 'sqlite3',
    connection: { filename: path },
    useNullAsDefault: true,
    pool: {
      afterCreate: (connection: { run: (sql: string, cb: (error: Error | null) => void) => void }, done: (error: Error | null, connection: unknown) => void) => {
        connection.run('PRAGMA journal_mode = WAL', (walError) => {
          if (walError) return done(walError, connection);
          connection.run('PRAGMA busy_timeout = 5000', (busyError) => {
            if (busyError) return done(busyError, connection);
            connection.run('PRAGMA foreign_keys = ON', (fkError) => done(fkError, connection));
          });
        });
      },
    },
  });
  try {
    await knex.migrate.latest({ migrationSource });
  } catch (error) {
    await knex.destroy();
    throw new Error(`cannot open the database ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return knex;
}
