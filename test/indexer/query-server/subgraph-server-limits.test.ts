import { expect } from 'chai';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { EntityStore } from '../../../src/indexer/entity-store/entity-store';
import { startSubgraphServer, type SubgraphServer } from '../../../src/indexer/query-server/subgraph-server';
import type { BlockWrites, StoreValue } from '../../../src/indexer/wasm/types';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';

/* The embedded subgraph server's WebSocket bounds over real sockets, as the status API's (test/status/status-server.test.ts). */

const SCHEMA = `
type Counter @entity {
  id: ID!
  value: BigInt!
}
`;

const block = (n: number) => ({ number: BigInt(n), hash: `0x${n.toString(16).padStart(64, '0')}`, parentHash: `0x${(n - 1).toString(16).padStart(64, '0')}`, timestamp: BigInt(1000 + n) });

/** Opens a graphql-transport-ws socket; resolves once it is open. */
async function openSocket(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.on('open', resolve));
  return socket;
}

/** The first message the server sends, or the close code if it closes the socket first. */
function answer(socket: WebSocket): Promise<{ message: string } | { closed: number }> {
  return new Promise((resolve) => {
    socket.once('message', (data: Buffer) => resolve({ message: data.toString() }));
    socket.once('close', (code) => resolve({ closed: code }));
  });
}

/** A connection_init of exactly `bytes` bytes (padded in its payload). */
function connectionInit(bytes: number): string {
  const empty = JSON.stringify({ type: 'connection_init', payload: { pad: '' } });
  return JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(bytes - empty.length) } });
}

interface Outcome {
  results: number;
  errors: string[];
}

/** Subscribes `count` times on one connection; each outcome counts results and error texts. */
function subscribeMany(client: Client, count: number): { outcomes: Outcome[]; dispose: () => void } {
  const outcomes: Outcome[] = [];
  const disposers: Array<() => void> = [];
  for (let i = 0; i < count; i++) {
    const outcome: Outcome = { results: 0, errors: [] };
    outcomes.push(outcome);
    disposers.push(
      client.subscribe(
        { query: 'subscription { counters { id value } }' },
        { next: () => void outcome.results++, error: (error) => outcome.errors.push(JSON.stringify(error)), complete: () => undefined },
      ),
    );
  }
  return { outcomes, dispose: () => disposers.forEach((dispose) => dispose()) };
}

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('subgraph server WebSocket limits', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let store: EntityStore;
  /** With limits of its own: 4 KiB per message, 3 subscriptions per connection. */
  let configured: SubgraphServer;
  /** With the defaults (1 MiB, 50), as the embedded indexer starts it. */
  let defaults: SubgraphServer;

  before(async () => {
    db = await openTestDatabase();
    store = await EntityStore.open({ knex: db.knex, namespace: 'sg_limits', schemaSdl: SCHEMA });
    await store.commitBlock(block(1), new Map([
      ['Counter', new Map([['c', new Map<string, StoreValue>([['id', { kind: 'String', value: 'c' }], ['value', { kind: 'BigInt', value: 1n }]])]])],
    ]) as BlockWrites);
    const subgraphs = [{ name: 'test', deployment: 'QmLimits', store }];
    configured = await startSubgraphServer({ subgraphs, maxWsPayloadBytes: 4096, limits: { maxSubscriptionsPerConnection: 3 } });
    defaults = await startSubgraphServer({ subgraphs });
  });
  after(async () => {
    await configured?.close();
    await defaults?.close();
    await db?.close();
  });

  it('takes a message at the configured payload limit, and closes the socket on one a byte over it (1009)', async () => {
    const within = await openSocket(configured.wsUrl('test'));
    const accepted = answer(within);
    within.send(connectionInit(4096));
    expect(JSON.parse((await accepted as { message: string }).message)).to.deep.equal({ type: 'connection_ack' });
    within.close();

    const over = await openSocket(configured.wsUrl('test'));
    const refused = answer(over);
    over.send(connectionInit(4097));
    expect(await refused).to.deep.equal({ closed: 1009 }); // message too big
  });

  it('closes a socket whose message is over the default 1 MiB payload limit (1009)', async () => {
    const socket = await openSocket(defaults.wsUrl('test'));
    const refused = answer(socket);
    socket.send(connectionInit(1024 * 1024 + 1));
    expect(await refused).to.deep.equal({ closed: 1009 });
  });

  it('refuses subscriptions past the configured per-connection limit, naming it, and takes one again once another ends', async () => {
    const client = createClient({ url: configured.wsUrl('test'), webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
    try {
      const first = subscribeMany(client, 4);
      await until(() => first.outcomes.every((o) => o.results > 0 || o.errors.length > 0), 'every subscription to answer');
      expect(first.outcomes.map((o) => o.results > 0)).to.deep.equal([true, true, true, false]);
      expect(first.outcomes.map((o) => o.errors.length)).to.deep.equal([0, 0, 0, 1]);
      expect(first.outcomes[3].errors[0]).to.contain('too many subscriptions on this connection: the limit (maxSubscriptionsPerConnection) is 3');

      first.dispose();
      const again = subscribeMany(client, 1);
      await until(() => again.outcomes[0].results > 0 || again.outcomes[0].errors.length > 0, 'the subscription after the others ended');
      expect(again.outcomes[0]).to.deep.equal({ results: 1, errors: [] });
      again.dispose();
    } finally {
      await client.dispose();
    }
  });

  it('refuses the 51st subscription of a connection by default', async () => {
    const client = createClient({ url: defaults.wsUrl('test'), webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
    try {
      const many = subscribeMany(client, 51);
      await until(() => many.outcomes.every((o) => o.results > 0 || o.errors.length > 0), 'every subscription to answer');
      const refused = many.outcomes.filter((o) => o.errors.length > 0);
      expect([refused.length, many.outcomes.indexOf(refused[0])]).to.deep.equal([1, 50]);
      expect(refused[0].errors[0]).to.contain('the limit (maxSubscriptionsPerConnection) is 50');
      many.dispose();
    } finally {
      await client.dispose();
    }
  });
});
