import { expect } from 'chai';
import type { Knex } from 'knex';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { liveStatus } from '../../src/cli/status';
import { liveRecordStatus, recordLines } from '../../src/cli/status-record';
import { SqlFacilitationStore } from '../../src/facilitation/sql-facilitation-store';
import { MessageStatus } from '../../src/mosaic/message-status';
import { stakeMessage, stakeRequest } from '../facilitation/facilitation-store-contract';
import { openDatabase } from '../../src/db/open-database';
import { startStatusServer } from '../../src/status/status-server';
import { runCli } from '../helpers/cli';
import { openTestDatabase } from '../helpers/database';
import { addr, configuredFolder, makeWorkers, type tempFolder, type Workers } from '../config/config-fixtures';
import { OPEN_REDEEM_REQUEST_HASH, seedBothDirections, sqlStatusSource, STAKE_MESSAGE_HASH, STAKE_REQUEST_HASH } from '../status/both-directions';

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

describe('facilitator status <hash> (not running): one record, what it waits for, its history', function () {
  this.timeout(90_000);
  let workers: Workers;
  let folder: ReturnType<typeof tempFolder>;
  let configPath: string;
  let databasePath: string;
  const REDEEM_HASH = `0x${'5e'.repeat(32)}`;
  const REDEEM_REQUEST = `0x${'5f'.repeat(32)}`;

  before(async () => {
    workers = await makeWorkers();
    ({ folder, configPath, databasePath } = configuredFolder(workers));
    const knex = await openDatabase(databasePath);
    try {
      await seedBothDirections(knex);
      // A redeem of the config's pair (its mosaic-config names the gateway and the origin anchor), declared at
      // auxiliary height 20 while the origin anchor holds 18.
      const store = new SqlFacilitationStore(knex);
      const pair = { gateway: addr('ab'), coGateway: addr('27') };
      await store.apply({ kind: 'requestSeen', request: stakeRequest({ direction: 'REDEEM', stakeRequestHash: REDEEM_REQUEST, gateway: pair.coGateway }) });
      await store.apply({ kind: 'acceptancePrepared', message: stakeMessage({ direction: 'REDEEM', messageHash: REDEEM_HASH, stakeRequestHash: REDEEM_REQUEST, ...pair }) });
      await store.apply({ kind: 'sourceStatusSeen', messageHash: REDEEM_HASH, status: MessageStatus.Declared, declarationHeight: 20n, evidence: { txHash: `0x${'7a'.repeat(32)}` } });
      await store.recordAnchoredHeight(addr('11'), 1337, 18n);
    } finally {
      await knex.destroy();
    }
  });
  after(() => folder.remove());

  const status = (...args: string[]) =>
    runCli(['status', '--facilitator-config', configPath, ...args], { env: { MOSAIC_HOME: join(folder.dir, 'home') }, timeoutMs: 45_000 });

  it('prints a message: direction, state, what it waits for (the anchor height needed and held) since when, and its history table', async () => {
    const result = await status(REDEEM_HASH.toUpperCase().replace('0X', '0x'));
    expect(result.code, result.stderr).to.equal(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).to.equal(`message ${REDEEM_HASH}`);
    expect(lines).to.include('  direction    REDEEM (redeem & unstake: auxiliary → origin)');
    expect(lines).to.include('  state        DECLARED');
    expect(lines).to.include(
      "  waiting for  the facilitator to run (it is not running); then: the origin chain's anchor to reach auxiliary height 20 (anchored: 18, 2 blocks to go)",
    );
    expect(lines.find((l) => l.startsWith('  since'))).to.match(/^ {2}since {8}\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(\d+ s ago\)$/);
    const table = lines.slice(lines.findIndex((l) => l.startsWith('history'))).map((l) => l.trim().split(/\s{2,}/));
    expect(table[0]).to.deep.equal(['history (2 changes, oldest first):']);
    expect(table[1]).to.deep.equal(['STATE', 'TIME (UTC)', 'BLOCK', 'TX HASH', 'EVENT']);
    expect([table[2][0], table[2][2], table[2][3], table[2][4]]).to.deep.equal(['ACCEPTING', '-', '-', 'acceptancePrepared']);
    expect([table[3][0], table[3][2], table[3][3], table[3][4]]).to.deep.equal(['DECLARED', '20', `0x${'7a'.repeat(32)}`, 'sourceStatusSeen']);
  });

  it('prints a request (--json: the same as data), and an unknown or malformed hash is one line with exit 1', async () => {
    const request = await status(OPEN_REDEEM_REQUEST_HASH, '--json');
    expect(request.code, request.stderr).to.equal(0);
    const json = JSON.parse(request.stdout) as { record: string; state: string; direction: string; waiting: { kind: string }; history: Array<{ state: string; event: string }> };
    expect([json.record, json.direction, json.state, json.waiting.kind]).to.deep.equal(['request', 'REDEEM', 'REQUESTED', 'FACILITATOR_STOPPED']);
    expect(json.history.map((h) => [h.state, h.event])).to.deep.equal([['REQUESTED', 'requestSeen']]);

    const unknown = await status(`0x${'00'.repeat(32)}`);
    expect(unknown.code).to.equal(1);
    expect(unknown.stdout).to.equal('');
    expect(unknown.stderr.trim().split('\n')).to.deep.equal([
      `facilitator: no message or request 0x${'00'.repeat(32)} in the database ${databasePath} (the facilitator is not running): check the hash (\`facilitator status\` shows what there is)`,
    ]);
    const typo = await status('0x1234');
    expect([typo.code, typo.stderr.trim()]).to.deep.equal([1, 'facilitator: 0x1234 is not a message or request hash: expected 0x and 64 hex digits']);
  });
});

describe('facilitator status <hash> (running) asks the status API', function () {
  it('answers a message and a request with their wait and history, and nothing for an unknown hash', async () => {
    const db = await openTestDatabase();
    await seedBothDirections(db.knex);
    const server = await startStatusServer({ source: sqlStatusSource(db.knex), host: '127.0.0.1', port: 0 });
    try {
      const message = (await liveRecordStatus(server.url, STAKE_MESSAGE_HASH))!;
      expect([message.record, message.direction, message.state, message.requestHash]).to.deep.equal(['message', 'STAKE', 'ACCEPTING', STAKE_REQUEST_HASH]);
      expect(message.waiting).to.include({ kind: 'STEP', reason: 'acceptStakeRequest to be queued' });
      expect(message.waitingFor).to.match(/^acceptStakeRequest to be queued — waiting \d+ s \(since .*Z\)$/);
      expect(message.history.map((h) => h.state)).to.deep.equal(['ACCEPTING']);
      const request = (await liveRecordStatus(server.url, STAKE_REQUEST_HASH))!;
      expect([request.record, request.state, request.messageHash]).to.deep.equal(['request', 'ACCEPTING', STAKE_MESSAGE_HASH]);
      expect(request.waiting!.reason).to.equal(`its message ${STAKE_MESSAGE_HASH} (ACCEPTING): acceptStakeRequest to be queued`);
      expect(request.history.map((h) => [h.from, h.state, h.event])).to.deep.equal([
        [null, 'REQUESTED', 'requestSeen'],
        ['REQUESTED', 'ACCEPTING', 'acceptancePrepared'],
      ]);
      expect(recordLines(request)).to.include(`  message      ${STAKE_MESSAGE_HASH}`);
      expect(await liveRecordStatus(server.url, `0x${'00'.repeat(32)}`)).to.equal(undefined);
    } finally {
      await server.close();
      await db.close();
    }
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
