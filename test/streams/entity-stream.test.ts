import { expect } from 'chai';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Subscription } from 'rxjs';
import { EntityStore } from '../../src/indexer/entity-store/entity-store';
import { startSubgraphServer, type SubgraphServer } from '../../src/indexer/query-server/subgraph-server';
import type { EntityData } from '../../src/indexer/wasm/types';
import { silentLogger } from '../../src/logging/logger';
import { runEntityStream, type EntityBatch, type StreamTransport } from '../../src/streams/entity-stream';
import { SqlCursorStore } from '../../src/streams/sql-cursor-store';
import { SubgraphClient } from '../../src/streams/subgraph-client';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { block, ORIGIN_SCHEMA, stakeRequested, writes } from './stream-fixtures';

const NAMESPACE = 'sg_stream_test';

/**
 * Entity streams against the real graph-node-compatible server (HTTP and graphql-ws on a real socket),
 * its SQLite entity store and the SQLite cursor table.
 */
describe('entity streams over a graph-node-compatible server', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let store: EntityStore;
  let server: SubgraphServer;
  let client: SubgraphClient;
  let cursors: SqlCursorStore;
  let running: Subscription | undefined;
  let next: number;

  beforeEach(async () => {
    db = await openTestDatabase();
    store = await EntityStore.open({ knex: db.knex, namespace: NAMESPACE, schemaSdl: ORIGIN_SCHEMA });
    server = await startSubgraphServer({ subgraphs: [{ name: 'origin', deployment: 'QmStreamTest', store }] });
    client = new SubgraphClient({ name: 'origin', http: server.url('origin'), ws: server.wsUrl('origin') });
    cursors = new SqlCursorStore(db.knex);
    next = 1;
    branch = 0;
  });
  afterEach(async () => {
    running?.unsubscribe();
    running = undefined;
    await client.close();
    await server.close();
    await db.close();
  });

  let branch = 0;
  async function commit(...entities: Array<[string, EntityData]>): Promise<void> {
    await store.commitBlock(block(next, branch), entities.length > 0 ? writes(...entities) : undefined);
    next += 1;
  }

  /** What the indexer does on a reorg: drop everything above `ancestor`; later commits build a new branch. */
  async function reorgTo(ancestor: number): Promise<void> {
    await store.rollbackTo(BigInt(ancestor));
    next = ancestor + 1;
    branch += 1;
  }

  function run(
    transport: StreamTransport,
    extra: { silenceMs?: number; confirmations?: number; pageSize?: number; reorgWindowBlocks?: number; logger?: pino.Logger } = {},
  ): EntityBatch[] {
    const batches: EntityBatch[] = [];
    running = runEntityStream(
      { name: 'origin.StakeRequested', entityType: 'StakeRequested', client, transport, cursors, startBlock: 1, pollIntervalMs: 50, logger: silentLogger(), ...extra },
      async (batch) => {
        batches.push(batch);
      },
    );
    return batches;
  }

  const delivered = (batches: EntityBatch[]) => batches.flatMap((b) => b.entities.map((e) => `${e.blockNumber}:${e.logIndex}`));

  async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  for (const transport of ['polling', 'subscription'] as const) {
    it(`${transport}: delivers entities in block then log order, saves the cursor after the handler, and resumes from it`, async () => {
      await commit(stakeRequested(1, 3), stakeRequested(1, 1));
      await commit();
      await commit(stakeRequested(3, 0));
      let batches = run(transport);
      await until(() => delivered(batches).length === 3, 'the first three entities');
      expect(delivered(batches)).to.deep.equal(['1:1', '1:3', '3:0']);
      await until(async () => (await cursors.load('origin.StakeRequested')) === 3, 'the cursor at block 3');

      await commit(stakeRequested(4, 2));
      await until(() => delivered(batches).length === 4, 'the entity of a new block');
      expect(delivered(batches)[3]).to.equal('4:2');
      await until(async () => (await cursors.load('origin.StakeRequested')) === 4, 'the cursor at block 4');

      // A restart reads the saved cursor: nothing delivered twice, the next block arrives.
      running!.unsubscribe();
      batches = run(transport);
      await commit(stakeRequested(5, 0));
      await until(() => delivered(batches).includes('5:0'), 'the entity after the restart');
      expect(delivered(batches)).to.deep.equal(['5:0']);
    });
  }

  for (const transport of ['polling', 'subscription'] as const) {
    it(`${transport}: after a reorg, delivers the new branch's entities at heights already passed, once`, async () => {
      await commit(stakeRequested(1, 0));
      await commit(stakeRequested(2, 0));
      await commit();
      const batches = run(transport);
      await until(async () => (await cursors.load('origin.StakeRequested')) === 3, 'the cursor at block 3');
      expect(delivered(batches)).to.deep.equal(['1:0', '2:0']);

      // Blocks 2 and 3 are replaced; the new block 2 holds another entity; the head stays at 3.
      await reorgTo(1);
      await commit(stakeRequested(2, 5));
      await commit();
      await until(() => delivered(batches).includes('2:5'), 'the new branch entity below the cursor');
      await commit(stakeRequested(4, 0));
      await until(() => delivered(batches).includes('4:0'), 'the next entity');
      expect(delivered(batches)).to.deep.equal(['1:0', '2:0', '2:5', '4:0']);
      expect(await cursors.load('origin.StakeRequested')).to.equal(4);
    });
  }

  for (const [transport, confirmations] of [['polling', 1], ['subscription', 1], ['subscription', 0]] as const) {
    it(`${transport}, ${confirmations} confirmation(s): a quiet stream's cursor follows the head (blocks without its entities are checked, not skipped)`, async () => {
      await commit(stakeRequested(1, 0));
      await commit();
      const batches = run(transport, { confirmations });
      await until(() => delivered(batches).length === 1, 'the first entity');
      for (let i = 0; i < 4; i++) await commit();
      // Head 6: every block up to the safe head has been looked at, though none had an entity.
      await until(async () => (await cursors.load('origin.StakeRequested')) === 6 - confirmations, 'the cursor at the safe head', 5_000);
      await commit(stakeRequested(7, 0));
      await commit();
      await until(() => delivered(batches).includes('7:0'), 'the next entity');
      expect(delivered(batches)).to.deep.equal(['1:0', '7:0']);
    });
  }

  it('subscription with confirmations: an entity a reorg removed while it waited for its confirmations is never delivered', async () => {
    await commit(stakeRequested(1, 0));
    await commit();
    await commit();
    const batches = run('subscription', { confirmations: 2 });
    await until(() => delivered(batches).length === 1, 'the confirmed entity');
    await commit(stakeRequested(4, 0)); // pushed, waits for two more blocks
    await new Promise((r) => setTimeout(r, 300));
    await reorgTo(3);
    for (let i = 0; i < 3; i++) await commit();
    await new Promise((r) => setTimeout(r, 1_000)); // several release ticks past its confirmations
    expect(delivered(batches)).to.deep.equal(['1:0']);
  });

  it('subscription: pushes stay small as entities accumulate (subscribed again above the delivered ones, no restart)', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (warnings.push(String(chunk)), done()) }));
    const batches = run('subscription', { pageSize: 10, reorgWindowBlocks: 2, logger });
    const expected: string[] = [];
    for (let n = 1; n <= 30; n++) {
      await commit(stakeRequested(n, 0));
      expected.push(`${n}:0`);
      await until(() => delivered(batches).length === n, `entity ${n}`);
    }
    // Without moving the subscription up, its 10th entity fills the page: a restart with a warning.
    expect(warnings).to.deep.equal([]);
    expect(delivered(batches)).to.deep.equal(expected);
  });

  it('subscription: a silent subscription that missed entities reconnects and catches up', async () => {
    await commit(stakeRequested(1, 0));
    const batches = run('subscription', { silenceMs: 300 });
    await until(() => delivered(batches).length === 1, 'the first entity');
    // A second store on the same tables writes without telling the server: the subscription gets no push.
    const quiet = await EntityStore.open({ knex: db.knex, namespace: NAMESPACE, schemaSdl: ORIGIN_SCHEMA });
    await quiet.commitBlock(block(next), writes(stakeRequested(next, 7)));
    const missed = `${next}:7`;
    next += 1;
    await until(() => delivered(batches).includes(missed), 'the missed entity after the silence', 15_000);
    expect(delivered(batches).filter((d) => d === missed)).to.have.length(1);
  });
});
