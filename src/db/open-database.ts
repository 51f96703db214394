import knexFactory, { type Knex } from 'knex';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from '../../migrations';

/**
 * Migrations come from an explicit list of imported modules (migrations/index.ts), not from a folder
 * scan: the same code then works under tsx (src, .ts) and from dist (compiled .js).
 */
export const migrationSource: Knex.MigrationSource<readonly [string, Knex.Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's write lock before SQLITE_BUSY (default 5000). */
  busyTimeoutMs?: number;
}

interface SqliteConnection {
  run(sql: string, callback: (error: Error | null) => void): void;
}

/**
 * Per-connection pragmas. WAL lets the status API and other processes read while the engine writes;
 * synchronous=NORMAL is durable across process crashes in WAL mode (only an OS crash may lose the
 * last commits); busy_timeout rides out short write locks; foreign keys are off by default in SQLite.
 */
function pragmas(busyTimeoutMs: number): string[] {
  return ['PRAGMA journal_mode = WAL', 'PRAGMA synchronous = NORMAL', `PRAGMA busy_timeout = ${busyTimeoutMs}`, 'PRAGMA foreign_keys = ON'];
}

function runAll(connection: SqliteConnection, statements: string[], done: (error: Error | null) => void): void {
  const [first, ...rest] = statements;
  if (first === undefined) return done(null);
  connection.run(first, (error) => (error ? done(error) : runAll(connection, rest, done)));
}

/**
 * Opens (creating file and folder if needed) the facilitator's SQLite database and brings its schema
 * up to date. Running it again on a migrated file changes nothing. The returned knex has one
 * connection (SQLite writes are serial anyway): inside `knex.transaction`, use the transaction object.
 */
export async function openDatabase(path: string, options: OpenDatabaseOptions = {}): Promise<Knex> {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw new Error(`cannot create the database folder ${dirname(path)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const statements = pragmas(options.busyTimeoutMs ?? 5000);
  const knex = knexFactory({
    client: 'sqlite3',
    connection: { filename: path },
    useNullAsDefault: true,
    pool: {
      afterCreate: (connection: SqliteConnection, done: (error: Error | null, connection: unknown) => void) => {
        runAll(connection, statements, (error) => done(error, connection));
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
