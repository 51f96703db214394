import { expect } from 'chai';
import type { Subscription } from 'rxjs';
import { EntityStore } from '../../src/indexer/entity-store/entity-store';
import { startSubgraphServer, type SubgraphServer } from '../../src/indexer/query-server/subgraph-server';
import type { EntityData } from '../../src/indexer/wasm/types';
import { runEntityStream, type EntityBatch } from '../../src/streams/entity-stream';
import { SqlCursorStore } from '../../src/streams/sql-cursor-store';
import { SubgraphClient } from '../../src/streams/subgraph-client';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { block, capturingLogger, ORIGIN_SCHEMA, stakeRequested, until, writes } from './stream-fixtures';

const FALLBACK = 'subgraph serves no GraphQL subscriptions (graph-node ≥ 0.38 has none): its streams poll instead';

/**
 * graph-node ≥ 0.38 has no GraphQL subscriptions (its WebSocket server is gone): streams configured
 * with the "subscription" transport must notice and poll on their own. The embedded server with
 * `subscriptions: false` answers a WebSocket upgrade as such a server does (no 101).
 */
describe('subscription transport against a server without subscriptions', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let store: EntityStore;
  let server: SubgraphServer;
  let client: SubgraphClient;
  let cursors: SqlCursorStore;
  let lines: Array<Record<string, unknown>>;
  let running: Subscription[];
  let next: number;

  beforeEach(async () => {
    db = await openTestDatabase();
    store = await EntityStore.open({ knex: db.knex, namespace: 'sg_fallback', schemaSdl: ORIGIN_SCHEMA });
    server = await startSubgraphServer({ subgraphs: [{ name: 'origin', deployment: 'QmFallback', store }], subscriptions: false });
    client = new SubgraphClient({ name: 'origin', http: server.url('origin'), ws: server.wsUrl('origin') });
    cursors = new SqlCursorStore(db.knex);
    lines = [];
    running = [];
    next = 1;
  });
  afterEach(async () => {
    for (const stream of running) stream.unsubscribe();
    await client.close();
    await server.close();
    await db.close();
  });

  async function commit(...entities: Array<[string, EntityData]>): Promise<void> {
    await store.commitBlock(block(next), entities.length > 0 ? writes(...entities) : undefined);
    next += 1;
  }

  function run(name: string, extra: { confirmations?: number } = {}): EntityBatch[] {
    const batches: EntityBatch[] = [];
    const logger = capturingLogger(lines);
    running.push(
      runEntityStream(
        { name, entityType: 'StakeRequested', client, transport: 'subscription', cursors, startBlock: 1, pollIntervalMs: 30, logger, ...extra },
        async (batch) => {
          batches.push(batch);
        },
      ),
    );
    return batches;
  }

  const delivered = (batches: EntityBatch[]) => batches.flatMap((b) => b.entities.map((e) => `${e.blockNumber}:${e.logIndex}`));

  it('delivers every entity, once and in order, by polling, saying so in one warn line for the endpoint (not per stream)', async () => {
    await commit(stakeRequested(1, 2), stakeRequested(1, 0));
    await commit();
    const first = run('origin.StakeRequested');
    const second = run('1406/origin.StakeRequested');
    await until(() => delivered(first).length === 2 && delivered(second).length === 2, 'the entities indexed before the start');
    await commit(stakeRequested(3, 1));
    await commit(stakeRequested(4, 0), stakeRequested(4, 5));
    await until(() => delivered(first).length === 5 && delivered(second).length === 5, 'the entities indexed after the fallback');
    await until(async () => (await cursors.load('origin.StakeRequested')) === 4, 'the cursor at block 4');

    const expected = ['1:0', '1:2', '3:1', '4:0', '4:5'];
    expect(delivered(first)).to.deep.equal(expected);
    expect(delivered(second)).to.deep.equal(expected);
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings.map((w) => [w.msg, w.subgraph, w.reason])).to.deep.equal([[FALLBACK, 'origin', 'the WebSocket upgrade was answered with HTTP 404']]);
    expect(client.supportsSubscriptions).to.equal(false);
  });

  it('keeps polling after a restart of the stream, without another warning', async () => {
    await commit(stakeRequested(1, 0));
    const before = run('origin.StakeRequested');
    await until(() => client.supportsSubscriptions === false && delivered(before).length === 1, 'the fallback');
    running.pop()!.unsubscribe();
    const after = run('origin.StakeRequested');
    await commit(stakeRequested(2, 0));
    await until(() => delivered(after).length === 1, 'the entity after the restart');
    expect(delivered(after)).to.deep.equal(['2:0']);
    expect(lines.filter((line) => line.msg === FALLBACK)).to.have.length(1);
  });

  it('with confirmations, the polling it falls back to still waits until an entity is deep enough', async () => {
    await commit(stakeRequested(1, 0));
    const batches = run('origin.StakeRequested', { confirmations: 2 });
    await commit();
    await new Promise((r) => setTimeout(r, 200));
    expect(delivered(batches)).to.deep.equal([]);
    await commit();
    await until(() => delivered(batches).length === 1, 'the entity two blocks deep');
    expect(lines.filter((line) => line.msg === 'stream restarting')).to.deep.equal([]);
  });
});
