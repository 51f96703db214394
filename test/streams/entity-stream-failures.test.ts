import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Subscription } from 'rxjs';
import { NonRetryableError, RetryableError } from '../../src/errors/facilitator-error';
import { StoppedUnits } from '../../src/errors/stopped-units';
import { EntityStore } from '../../src/indexer/entity-store/entity-store';
import { startSubgraphServer, type SubgraphServer } from '../../src/indexer/query-server/subgraph-server';
import { runEntityStream, type EntityBatch } from '../../src/streams/entity-stream';
import { SqlCursorStore } from '../../src/streams/sql-cursor-store';
import { SubgraphClient } from '../../src/streams/subgraph-client';
import { packageRoot } from '../../src/util/package-root';
import { openTestDatabase, type TestDatabase } from '../helpers/database';

const ORIGIN_SCHEMA = readFileSync(join(packageRoot(), 'subgraph', 'origin', 'schema.graphql'), 'utf8');
const STREAM = 'origin.StakeRequested';

/** A logger whose JSON lines land in `lines`. */
function capturingLogger(lines: Array<Record<string, unknown>>): pino.Logger {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level: 'info' }, destination);
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** How runEntityStream acts on the class of a handler's failure, over the real query server and SQLite. */
describe('entity streams: a handler failure stops the stream or backs off, by its class', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let server: SubgraphServer;
  let client: SubgraphClient;
  let cursors: SqlCursorStore;
  let running: Subscription | undefined;
  let units: StoppedUnits;
  let lines: Array<Record<string, unknown>>;

  beforeEach(async () => {
    db = await openTestDatabase();
    const store = await EntityStore.open({ knex: db.knex, namespace: 'sg_stream_failures', schemaSdl: ORIGIN_SCHEMA });
    await store.commitBlock({ number: 1n, hash: `0x${'01'.repeat(32)}`, parentHash: `0x${'00'.repeat(32)}`, timestamp: 1n }, undefined);
    server = await startSubgraphServer({ subgraphs: [{ name: 'origin', deployment: 'QmFailures', store }] });
    client = new SubgraphClient({ name: 'origin', http: server.url('origin'), ws: server.wsUrl('origin') });
    cursors = new SqlCursorStore(db.knex);
    units = new StoppedUnits();
    lines = [];
  });
  afterEach(async () => {
    running?.unsubscribe();
    await client.close();
    await server.close();
    await db.close();
  });

  const run = (handle: (batch: EntityBatch) => Promise<void>) => {
    running = runEntityStream(
      { name: STREAM, entityType: 'StakeRequested', client, transport: 'polling', cursors, startBlock: 1, pollIntervalMs: 20, logger: capturingLogger(lines), stoppedUnits: units },
      handle,
    );
  };

  it('stops after one attempt when the handler fails deterministically, recording and logging the reason once', async () => {
    let attempts = 0;
    run(async () => {
      attempts += 1;
      throw new NonRetryableError('unsupported entity', { details: { block: 1 } });
    });
    await until(() => units.get('stream', STREAM) !== undefined, 'the stream recorded as stopped');
    await new Promise((r) => setTimeout(r, 1_000)); // a retry would come after 500 ms
    expect(attempts).to.equal(1);
    expect(units.get('stream', STREAM)).to.include({ reason: 'unsupported entity', errorName: 'NonRetryableError' });
    expect(units.get('stream', STREAM)!.details).to.deep.equal({ block: 1 });
    expect(lines.filter((line) => line.msg === 'stream stopped: the failure is deterministic')).to.have.length(1);
    expect(await cursors.load(STREAM)).to.equal(undefined);
  });

  it('retries a transient failure (and an unclassified one) with a growing backoff, then saves the cursor', async () => {
    const at: number[] = [];
    run(async () => {
      at.push(Date.now());
      if (at.length === 1) throw new RetryableError('database busy');
      if (at.length === 2) throw new Error('socket hang up');
    });
    await until(async () => (await cursors.load(STREAM)) === 1, 'the cursor saved after the third attempt');
    expect(at).to.have.length(3);
    // 500 ms then 1 s, each ±25 % jitter
    expect(at[1] - at[0]).to.be.within(370, 1_000);
    expect(at[2] - at[1]).to.be.within(740, 2_000);
    expect(units.list()).to.deep.equal([]);
    expect(lines.filter((line) => line.msg === 'stream restarting').map((line) => line.attempt)).to.deep.equal([1, 2]);
  });
});
