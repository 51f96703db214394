import { expect } from 'chai';
import type { Knex } from 'knex';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { liveStatus } from '../../src/cli/status';
import { openDatabase } from '../../src/db/open-database';
import { startStatusServer } from '../../src/status/status-server';
import { runCli } from '../helpers/cli';
import { openTestDatabase } from '../helpers/database';
import { configuredFolder, makeWorkers, type tempFolder, type Workers } from '../config/config-fixtures';
import { seedBothDirections, sqlStatusSource } from '../status/both-directions';

describe('facilitator status (not running) is read-only', function () {
  this.timeout(60_000);
  let workers: Workers;
  let folder: ReturnType<typeof tempFolder>;
  let configPath: string;
  let databasePath: string;

  before(async () => (workers = await makeWorkers()));
  beforeEach(() => ({ folder, configPath, databasePath } = configuredFolder(workers)));
  afterEach(() => folder.remove());

  const status = (...flags: string[]) =>
    runCli(['status', '--facilitator-config', configPath, ...flags], { env: { MOSAIC_HOME: join(folder.dir, 'home') }, timeoutMs: 45_000 });

  /** The database with a stake (ACCEPTING), a declared redeem (ACCEPTED / DECLARED) and an open redeem request. */
  async function seededDatabase(change?: (knex: Knex) => Promise<void>): Promise<void> {
    const knex = await openDatabase(databasePath);
    try {
      await seedBothDirections(knex);
      await change?.(knex);
    } finally {
      await knex.destroy();
    }
  }

  it('a missing database: one line, non-zero exit, no database created', async function () {
    const result = await status();
    expect(result.code).to.equal(1);
    expect(result.stderr.trim().split('\n')).to.deep.equal([
      `facilitator: no database at ${databasePath}: run \`facilitator init\` (or \`facilitator start --create-database\`) to create it, or fix database.path`,
    ]);
    expect(existsSync(join(folder.dir, 'db'))).to.equal(false);
  });

  it('an existing database is read, not migrated or written', async function () {
    const knex = await openDatabase(databasePath);
    await knex.destroy();
    const before = statSync(databasePath).mtimeMs;
    const result = await status();
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('not running');
    expect(statSync(databasePath).mtimeMs).to.equal(before);
  });

  it('prints messages and requests by state, one column per direction', async function () {
    await seededDatabase();
    const result = await status();
    expect(result.code, result.stderr).to.equal(0);
    const lines = result.stdout.split('\n');
    const from = lines.findIndex((l) => l.startsWith('messages by state'));
    expect(lines.slice(from, from + 8).map((l) => l.split(/\s+/).filter(Boolean).join(' '))).to.deep.equal([
      'messages by state: STAKE REDEEM',
      'ACCEPTING 1 0',
      'DECLARED 0 1',
      'requests by state: STAKE REDEEM',
      'REQUESTED 0 1',
      'ACCEPTING 1 0',
      'ACCEPTED 0 1',
      'pending transactions: 0',
    ]);
  });

  it('--json gives the counts by direction, and by state for both directions as before', async function () {
    await seededDatabase();
    const result = await status('--json');
    expect(result.code, result.stderr).to.equal(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json.messageCounts).to.have.deep.members([{ state: 'ACCEPTING', count: 1 }, { state: 'DECLARED', count: 1 }]);
    expect(json.messageCountsByDirection).to.have.deep.members([
      { direction: 'STAKE', state: 'ACCEPTING', count: 1 },
      { direction: 'REDEEM', state: 'DECLARED', count: 1 },
    ]);
    expect(json.requestCountsByDirection).to.have.deep.members([
      { direction: 'STAKE', state: 'ACCEPTING', count: 1 },
      { direction: 'REDEEM', state: 'ACCEPTED', count: 1 },
      { direction: 'REDEEM', state: 'REQUESTED', count: 1 },
    ]);
  });

  it('counts the rows of a database from before directions as stakes, without migrating it', async function () {
    await seededDatabase(async (knex) => {
      // What the redeem-direction migration added, taken away again.
      for (const table of ['messages', 'stake_requests']) {
        await knex.raw(`DROP INDEX ${table}_direction_state`);
        await knex.raw(`ALTER TABLE ${table} DROP COLUMN direction`);
      }
    });
    const result = await status('--json');
    expect(result.code, result.stderr).to.equal(0);
    const json = JSON.parse(result.stdout) as { messageCountsByDirection: unknown[] };
    expect(json.messageCountsByDirection).to.have.deep.members([
      { direction: 'STAKE', state: 'ACCEPTING', count: 1 },
      { direction: 'STAKE', state: 'DECLARED', count: 1 },
    ]);
  });
});

describe('facilitator status (running) reads the counts by direction from the status API', function () {
  it('asks the status API a query it answers, and keeps both directions apart', async () => {
    const db = await openTestDatabase();
    await seedBothDirections(db.knex);
    const server = await startStatusServer({ source: sqlStatusSource(db.knex), host: '127.0.0.1', port: 0 });
    try {
      const status = await liveStatus(server.url);
      expect(status.messageCounts).to.have.deep.members([{ state: 'ACCEPTING', count: 1 }, { state: 'DECLARED', count: 1 }]);
      expect(status.messageCountsByDirection).to.have.deep.members([
        { direction: 'STAKE', state: 'ACCEPTING', count: 1 },
        { direction: 'REDEEM', state: 'DECLARED', count: 1 },
      ]);
      expect(status.requestCountsByDirection).to.have.deep.members([
        { direction: 'STAKE', state: 'ACCEPTING', count: 1 },
        { direction: 'REDEEM', state: 'ACCEPTED', count: 1 },
        { direction: 'REDEEM', state: 'REQUESTED', count: 1 },
      ]);
    } finally {
      await server.close();
      await db.close();
    }
  });
});
