import knexFactory, { type Knex } from 'knex';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MIGRATIONS } from '../../migrations';
import { describeTarget, type DatabaseTarget } from './database-target';

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
  /**
   * Open an existing file for reading only: nothing is created, migrated or written (`facilitator
   * status` must not make or change a database by accident).
   */
  readOnly?: boolean;
  /**
   * `facilitator` (default): every commit survives an OS crash (synchronous=FULL). `derived`: for data
   * re-derivable from the chain (the embedded indexer's entities): synchronous=NORMAL in WAL mode, which
   * stays consistent after a crash (a commit is whole or absent) but may lose the last commits, as
   * graph-node may lose its last blocks; a larger page cache; no facilitator migrations (the indexer's
   * tables are made by its entity store).
   */
  durability?: 'facilitator' | 'derived';
}

/** The database is missing where a command needs an existing one. */
export class MissingDatabaseError extends Error {
  constructor(readonly path: string) {
    super(`no database at ${path}: run \`facilitator init\` (or \`facilitator start --create-database\`) to create it, or fix database.path`);
    this.name = 'MissingDatabaseError';
  }
}

interface SqliteConnection {
  run(sql: string, callback: (error: Error | null) => void): void;
}

/**
 * Per-connection pragmas. WAL lets the status API and other processes read while the engine writes;
 * synchronous=FULL syncs the WAL at every commit, so an unlock secret or a signed transaction that was
 * committed survives an OS crash or power loss too (NORMAL may lose the last commits then, and a lost
 * signed transaction could be re-signed at the same nonce) — an indexer's re-derivable database
 * (`derived`) takes NORMAL, still consistent after a crash in WAL mode; busy_timeout rides out short write locks;
 * foreign keys are off by default in SQLite.
 */
/**
 * The indexer's page cache (KiB): 16 MiB holds the 10,000-event bench's whole database (`npm run bench
 * indexer` is as fast as with 64 MiB) and is resident memory of the facilitator, which runs the indexer in-process.
 */
const DERIVED_CACHE_KIB = 16 * 1024;

function pragmas(busyTimeoutMs: number, readOnly: boolean, durability: 'facilitator' | 'derived'): string[] {
  const writing =
    durability === 'derived'
      ? ['PRAGMA journal_mode = WAL', 'PRAGMA synchronous = NORMAL', `PRAGMA cache_size = -${DERIVED_CACHE_KIB}`, 'PRAGMA temp_store = MEMORY']
      : ['PRAGMA journal_mode = WAL', 'PRAGMA synchronous = FULL'];
  return [...(readOnly ? ['PRAGMA query_only = ON'] : writing), `PRAGMA busy_timeout = ${busyTimeoutMs}`, 'PRAGMA foreign_keys = ON'];
}

/**
 * The database holds unlock secrets and signed transactions: owner-only, whatever modes an older
 * version or a umask left on the file and its -wal/-shm companions. Folders are not touched here: only
 * those the facilitator creates are made owner-only (see createDatabaseFile); an existing folder (/tmp,
 * a home directory) keeps the mode its owner gave it.
 */
export function restrictDatabaseFiles(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

/**
 * The folders `mkdirSync(folder, { recursive: true })` made, given the first one it returned: that one
 * and each below it down to `folder`.
 */
function foldersCreated(firstCreated: string | undefined, folder: string): string[] {
  if (firstCreated === undefined) return [];
  const below = relative(firstCreated, folder).split(sep).filter((part) => part !== '');
  return below.reduce((folders, part) => [...folders, `${folders[folders.length - 1]}${sep}${part}`], [firstCreated]);
}

/** What openDatabase created, so that a failure takes it away again (nothing left behind). */
interface CreatedPaths {
  file: boolean;
  folders: string[];
}

/**
 * Creates the folder (if missing) and the file owner-only before SQLite opens it (its -wal/-shm then
 * inherit the mode): no 0644 window. Only folders made here are set 0700 (a umask cannot loosen them,
 * but an odd `mode` handling of a platform could).
 */
function createDatabaseFile(path: string, created: CreatedPaths): void {
  const folder = dirname(path);
  created.folders = foldersCreated(mkdirSync(folder, { recursive: true, mode: 0o700 }), folder);
  for (const made of created.folders) chmodSync(made, 0o700);
  created.file = !existsSync(path);
  closeSync(openSync(path, 'a', 0o600));
  restrictDatabaseFiles(path);
}

/** Removes what a failed open created: the new file, its -wal/-shm, and the folders made for it (deepest first). */
function removeCreated(path: string, created: CreatedPaths): void {
  if (created.file) {
    for (const file of [path, `${path}-wal`, `${path}-shm`]) removeQuietly(() => rmSync(file, { force: true }));
  }
  // rmdir removes a folder only while it is empty: never what someone else put there meanwhile.
  for (const folder of [...created.folders].reverse()) removeQuietly(() => rmdirSync(folder));
}

/** Cleaning up after a failure must not hide that failure: what cannot be removed stays. */
function removeQuietly(remove: () => void): void {
  try {
    remove();
  } catch {
    // the original error is the one to report
  }
}

function runAll(connection: SqliteConnection, statements: string[], done: (error: Error | null) => void): void {
  const [first, ...rest] = statements;
  if (first === undefined) return done(null);
  connection.run(first, (error) => (error ? done(error) : runAll(connection, rest, done)));
}

/**
 * Whether the target holds a facilitator database already (`start` refuses to begin afresh by accident:
 * a fresh database would accept requests already taken). SQLite: the file exists; PostgreSQL: the
 * migrations table does (the server is asked, nothing is created).
 */
export async function databaseIsInitialised(target: DatabaseTarget): Promise<boolean> {
  if (target.client === 'sqlite') return existsSync(target.path);
  const knex = knexFactory({ client: 'pg', connection: pgConnection(target), pool: { min: 0, max: 1 } });
  try {
    const result = (await knex.raw("SELECT to_regclass('knex_migrations') AS migrations")) as { rows: Array<{ migrations: string | null }> };
    return result.rows[0]?.migrations !== null;
  } catch (error) {
    throw new Error(`cannot reach the database ${describeTarget(target)}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await knex.destroy();
  }
}

/** Opens the facilitator's database wherever its target says (see openDatabase and openPostgresDatabase). */
export function openDatabaseTarget(target: DatabaseTarget, options: OpenDatabaseOptions = {}): Promise<Knex> {
  return target.client === 'sqlite' ? openDatabase(target.path, options) : openPostgresDatabase(target, options);
}

/**
 * Opens a PostgreSQL database and brings its schema up to date with the same migrations as SQLite.
 * Read-only (status) sessions refuse every write on the server's side. The password travels in the
 * connection settings, never in a message: errors name the URL with its credentials hidden.
 */
export async function openPostgresDatabase(target: Extract<DatabaseTarget, { client: 'postgres' }>, options: OpenDatabaseOptions = {}): Promise<Knex> {
  const readOnly = options.readOnly ?? false;
  const knex = knexFactory({
    client: 'pg',
    connection: pgConnection(target),
    pool: {
      min: 0,
      max: 10,
      afterCreate: (connection: PgConnection, done: (error: Error | null, connection: unknown) => void) => {
        // A process paused inside a transaction (SIGSTOP, a VM suspended) must not hold its locks for
        // ever: the server ends such a session, so a standby can take the lease over.
        const sql = readOnly
          ? 'SET default_transaction_read_only = on'
          : "SET statement_timeout = '60s'; SET idle_in_transaction_session_timeout = '5s'";
        connection.query(sql, (error) => done(error, connection));
      },
    },
  });
  try {
    if (readOnly) await knex.raw('SELECT 1');
    else await knex.migrate.latest({ migrationSource });
  } catch (error) {
    await knex.destroy();
    throw new Error(`cannot open the database ${describeTarget(target)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return knex;
}

/**
 * Connection settings from the URL, the password given apart (node-postgres lets a connection string's
 * fields override the others, so the URL is taken apart here). `sslmode` require / verify-ca /
 * verify-full turns TLS on (require without checking the certificate, as libpq does).
 */
function pgConnection(target: Extract<DatabaseTarget, { client: 'postgres' }>): Knex.PgConnectionConfig {
  const url = new URL(target.url);
  const sslmode = url.searchParams.get('sslmode');
  const tls = sslmode === 'require' || sslmode === 'verify-ca' || sslmode === 'verify-full';
  return {
    host: decodeURIComponent(url.hostname),
    port: url.port ? Number(url.port) : 5432,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: target.password ?? (url.password ? decodeURIComponent(url.password) : undefined),
    database: url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : undefined,
    ssl: tls ? { rejectUnauthorized: sslmode !== 'require' } : false,
  };
}

interface PgConnection {
  query(sql: string, callback: (error: Error | null) => void): void;
}

/**
 * Opens (creating file and folder if needed, owner-only; see restrictDatabaseFiles) the facilitator's SQLite database and brings its schema
 * up to date (an indexer's database, `durability: 'derived'`, is not migrated). Running it again on a migrated file changes nothing. The returned knex has one
 * connection (SQLite writes are serial anyway): inside `knex.transaction`, use the transaction object.
 */
export async function openDatabase(path: string, options: OpenDatabaseOptions = {}): Promise<Knex> {
  const readOnly = options.readOnly ?? false;
  const created: CreatedPaths = { file: false, folders: [] };
  if (readOnly) {
    if (!existsSync(path)) throw new MissingDatabaseError(path);
  } else {
    try {
      createDatabaseFile(path, created);
    } catch (error) {
      removeCreated(path, created);
      throw new Error(`cannot create the database ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  const durability = options.durability ?? 'facilitator';
  const statements = pragmas(options.busyTimeoutMs ?? 5000, readOnly, durability);
  const knex = knexFactory({
    client: 'sqlite3',
    // knex always adds OPEN_CREATE|OPEN_READWRITE; a URI's mode=ro is the way to open read-only.
    connection: readOnly ? { filename: `${pathToFileURL(path).href}?mode=ro`, flags: ['OPEN_URI'] } : { filename: path },
    useNullAsDefault: true,
    pool: {
      afterCreate: (connection: SqliteConnection, done: (error: Error | null, connection: unknown) => void) => {
        runAll(connection, statements, (error) => done(error, connection));
      },
    },
  });
  try {
    if (readOnly) await knex.raw('SELECT 1');
    else {
      if (durability === 'facilitator') await knex.migrate.latest({ migrationSource });
      else await knex.raw('SELECT 1'); // the pragmas run (and a bad file fails) here, not at the first write
      restrictDatabaseFiles(path);
    }
  } catch (error) {
    await knex.destroy();
    removeCreated(path, created);
    throw new Error(`cannot open the database ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return knex;
}
