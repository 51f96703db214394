import { expect } from 'chai';
import type { Subscription } from 'rxjs';
import { EntityStore } from '../../src/indexer/entity-store/entity-store';
import { startSubgraphServer, type SubgraphServer } from '../../src/indexer/query-server/subgraph-server';
import type { EntityData } from '../../src/indexer/wasm/types';
import { runEntityStream, type EntityBatch } from '../../src/streams/entity-stream';
import { SqlCursorStore } from '../../src/streams/sql-cursor-store';
import { SubgraphClient, type SubgraphHead } from '../../src/streams/subgraph-client';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { block, capturingLogger, ORIGIN_SCHEMA, stakeRequested, until, writes } from './stream-fixtures';

const STREAM = 'origin.StakeRequested';

/** A client whose `_meta` answers come through `adjust` (a graph-node ahead behind a load balancer, say). */
class SkewedClient extends SubgraphClient {
  adjust: (head: SubgraphHead) => SubgraphHead = (head) => head;
  readonly pages: Array<Record<string, unknown>> = [];
  override async head(): Promise<SubgraphHead> {
    return this.adjust(await super.head());
  }
  override async query<T>(document: Parameters<SubgraphClient['query']>[0], variables: Record<string, unknown> = {}): Promise<T> {
    if ('afterId' in variables) this.pages.push(variables);
    return super.query<T>(document, variables);
  }
}

/**
 * The polling transport (the one graph-node ≥ 0.38 serves) against the stricter graph-node behaviours
 * the embedded server now has (graphql/src/store/query.rs, graph/src/data/query/error.rs): `first`
 * 1..1000, pinned blocks refused before the start block and above the indexed head, `_meta` refused
 * before the first block, `hasIndexingErrors`. Served without subscriptions, as graph-node ≥ 0.38.
 */
describe('polling transport against graph-node behaviours', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let store: EntityStore;
  let server: SubgraphServer;
  let client: SkewedClient;
  let cursors: SqlCursorStore;
  let lines: Array<Record<string, unknown>>;
  let running: Subscription | undefined;
  let failed: boolean;

  async function serve(startBlock: bigint): Promise<void> {
    server = await startSubgraphServer({
      subgraphs: [{ name: 'origin', deployment: 'QmPolling', store, startBlock, hasIndexingErrors: () => failed }],
      subscriptions: false,
    });
    client = new SkewedClient({ name: 'origin', http: server.url('origin') });
  }

  beforeEach(async () => {
    db = await openTestDatabase();
    store = await EntityStore.open({ knex: db.knex, namespace: 'sg_polling', schemaSdl: ORIGIN_SCHEMA });
    cursors = new SqlCursorStore(db.knex);
    lines = [];
    failed = false;
  });
  afterEach(async () => {
    running?.unsubscribe();
    running = undefined;
    await client.close();
    await server.close();
    await db.close();
  });

  const commit = (n: number, ...entities: Array<[string, EntityData]>) => store.commitBlock(block(n), entities.length > 0 ? writes(...entities) : undefined);
  const delivered = (batches: EntityBatch[]) => batches.flatMap((b) => b.entities.map((e) => `${e.blockNumber}:${e.logIndex}`));
  const warnings = () => lines.filter((line) => (line.level as number) >= 40).map((line) => line.msg);

  function run(extra: { startBlock?: number; confirmations?: number; pageSize?: number } = {}): EntityBatch[] {
    const batches: EntityBatch[] = [];
    running = runEntityStream(
      { name: STREAM, entityType: 'StakeRequested', client, transport: 'polling', cursors, startBlock: 1, pollIntervalMs: 30, logger: capturingLogger(lines), ...extra },
      async (batch) => {
        batches.push(batch);
      },
    );
    return batches;
  }

  it('pages over 2,500 entities with first: 1000 and id cursors, pinned at one block: each entity once, in block then log order', async () => {
    await serve(1n);
    const many = (n: number, count: number, offset: number) => Array.from({ length: count }, (_, i) => stakeRequested(n, offset + i));
    await commit(1, ...many(1, 1200, 0));
    await commit(2, ...many(2, 1300, 0));
    const batches = run();
    await until(() => delivered(batches).length >= 2500, 'every entity', 30_000);
    await until(async () => (await cursors.load(STREAM)) === 2, 'the cursor at block 2');

    const got = delivered(batches);
    expect(got).to.have.length(2500);
    expect(new Set(got).size).to.equal(2500);
    const expected = [...Array.from({ length: 1200 }, (_, i) => `1:${i}`), ...Array.from({ length: 1300 }, (_, i) => `2:${i}`)];
    expect(got).to.deep.equal(expected);
    // Three pages of the one range: 1000, 1000 and 500 entities, each after the last id of the one before.
    expect(client.pages.map((p) => [p.first, p.atBlock])).to.deep.equal([[1000, 2], [1000, 2], [1000, 2]]);
    expect(client.pages[0].afterId).to.equal('');
    expect(String(client.pages[1].afterId) < String(client.pages[2].afterId)).to.equal(true);
    expect(warnings()).to.deep.equal([]);
  });

  it('refuses a page size graph-node would refuse (first outside 1..1000) at once, naming the limit', async () => {
    await serve(1n);
    for (const pageSize of [0, 1001]) {
      expect(() => run({ pageSize })).to.throw(RangeError, `${STREAM}: pageSize must be an integer from 1 to 1000 (graph-node's limits of first), got ${pageSize}`);
    }
    await commit(1, stakeRequested(1, 0), stakeRequested(1, 1), stakeRequested(1, 2));
    const batches = run({ pageSize: 1 });
    await until(() => delivered(batches).length === 3, 'three entities, one per page');
    expect(delivered(batches)).to.deep.equal(['1:0', '1:1', '1:2']);
  });

  it('waits for a subgraph that has not indexed a block yet (graph-node refuses `_meta` then), without restarts', async () => {
    await serve(1n);
    const batches = run();
    await new Promise((r) => setTimeout(r, 300));
    await commit(1, stakeRequested(1, 0));
    await until(() => delivered(batches).length === 1, 'the first entity');
    expect(warnings()).to.deep.equal([]);
  });

  it('a stream starting before the subgraph: blocks pinned before its start block hold nothing, no error, no restart', async () => {
    await serve(5n);
    await commit(5, stakeRequested(5, 0));
    const batches = run({ startBlock: 1, confirmations: 2 });
    // Head 5, two confirmations: pinned at block 3, which graph-node refuses ("only has data starting at block number 5").
    await until(async () => (await cursors.load(STREAM)) === 3, 'the cursor moved to block 3');
    expect(delivered(batches)).to.deep.equal([]);
    await commit(6);
    await commit(7);
    await until(() => delivered(batches).length === 1, 'the entity of the start block');
    expect(delivered(batches)).to.deep.equal(['5:0']);
    expect(warnings()).to.deep.equal([]);
  });

  it('a head ahead of the pages (graph-node: "not yet available"): reads the head again at the next poll, no restart', async () => {
    await serve(1n);
    await commit(1, stakeRequested(1, 0));
    await commit(2, stakeRequested(2, 0));
    let skewed = 0;
    client.adjust = (head) => (skewed++ < 2 ? { ...head, number: head.number + 1, hash: `0x${'ff'.repeat(32)}` } : head);
    const batches = run();
    await until(() => delivered(batches).length === 2, 'both entities once the head is true');
    expect(client.pages.filter((p) => p.atBlock === 3).length).to.be.greaterThan(0);
    expect(delivered(batches)).to.deep.equal(['1:0', '2:0']);
    expect(await cursors.load(STREAM)).to.equal(2);
    expect(warnings()).to.deep.equal([]);
  });

  it('a reorg seen as the head going back, then up to the cursor again: the new branch is read at the same height', async () => {
    await serve(1n);
    await commit(1, stakeRequested(1, 0));
    await commit(2);
    await commit(3);
    const batches = run();
    await until(async () => (await cursors.load(STREAM)) === 3, 'the cursor at block 3');
    await store.rollbackTo(1n);
    await store.commitBlock(block(2, 1), writes(stakeRequested(2, 5)));
    await new Promise((r) => setTimeout(r, 200)); // polls see the head at 2, below the cursor
    await store.commitBlock(block(3, 1), undefined);
    await until(() => delivered(batches).includes('2:5'), 'the new branch entity, with the head back at the cursor', 3_000);
    expect(delivered(batches)).to.deep.equal(['1:0', '2:5']);
  });

  it('_meta.hasIndexingErrors: delivers through the last good block, says so once, and goes on once the subgraph is fixed', async () => {
    await serve(1n);
    await commit(1, stakeRequested(1, 0));
    failed = true;
    const batches = run();
    await until(() => delivered(batches).length === 1, 'the entity of the last good block');
    await new Promise((r) => setTimeout(r, 200));
    expect(warnings()).to.deep.equal(['subgraph has indexing errors (_meta.hasIndexingErrors): its streams wait at the last good block until it is fixed']);
    failed = false;
    await commit(2, stakeRequested(2, 0));
    await until(() => delivered(batches).length === 2, 'the entity after the fix');
    expect(warnings()).to.have.length(1);
  });
});
