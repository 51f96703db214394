import { expect } from 'chai';
import { buildSchema, parse } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { WebSocketServer } from 'ws';
import { EntityStore } from '../../src/indexer/entity-store/entity-store';
import { startSubgraphServer, type SubgraphServer } from '../../src/indexer/query-server/subgraph-server';
import { entityDocuments } from '../../src/streams/documents';
import { SubgraphClient } from '../../src/streams/subgraph-client';
import { BlockBeforeStartError, BlockNotYetIndexedError, SubgraphNotStartedError, SubscriptionsUnavailableError } from '../../src/streams/subgraph-errors';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { block, ORIGIN_SCHEMA, stakeRequested, writes } from './stream-fixtures';

const LIVE = entityDocuments('StakeRequested').live;

/** The error a first subscription through `ws` ends with. */
async function subscribeFailure(ws: string): Promise<unknown> {
  const client = new SubgraphClient({ name: 'origin', http: 'http://127.0.0.1:9/unused', ws });
  try {
    await firstValueFrom(client.subscribe(LIVE, { fromBlock: 1, first: 10 }));
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await client.close();
  }
}

async function listening(server: Server | WebSocketServer): Promise<string> {
  if (server instanceof WebSocketServer) await new Promise((resolve) => server.once('listening', resolve));
  else await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/subgraphs/name/origin`;
}

/** How SubgraphClient tells a server without subscriptions from a transient failure, and classifies graph-node's block errors. */
describe('SubgraphClient', function () {
  this.timeout(20_000);

  describe('a server without subscriptions, each way graph-node (or a proxy before it) shows it', () => {
    it('WebSocket refused (graph-node ≥ 0.38 listens on no WebSocket port)', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
      const free = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const error = await subscribeFailure(`ws://127.0.0.1:${free}/subgraphs/name/origin`);
      expect(error).to.be.instanceOf(SubscriptionsUnavailableError);
      expect((error as SubscriptionsUnavailableError).reason).to.equal('the WebSocket connection was refused');
    });

    it('upgrade answered without 101 (the HTTP port: graph-node answers GET with GraphiQL or a redirect)', async () => {
      const http = createServer((_req, res) => res.writeHead(302, { location: '/subgraphs/name/origin/graphql' }).end());
      const url = await listening(http);
      const error = await subscribeFailure(url);
      http.close();
      expect((error as SubscriptionsUnavailableError).reason).to.equal('the WebSocket upgrade was answered with HTTP 302');
    });

    it('closed at init, before connection_ack', async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      wss.on('connection', (socket) => socket.close(4403, 'Forbidden'));
      const error = await subscribeFailure(await listening(wss));
      wss.close();
      expect((error as SubscriptionsUnavailableError).reason).to.equal('the WebSocket closed before connection_ack (code 4403: Forbidden)');
    });

    it('an error answer to subscribe (a schema without Subscription type)', async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      const cleanup = useServer({ schema: buildSchema('type Query { x: Int }') }, wss);
      const error = await subscribeFailure(await listening(wss));
      await cleanup.dispose();
      wss.close();
      expect(error).to.be.instanceOf(SubscriptionsUnavailableError);
      expect((error as SubscriptionsUnavailableError).reason).to.match(/^subscribe was answered with an error: /);
    });
  });

  describe('against the embedded server', () => {
    let db: TestDatabase;
    let store: EntityStore;
    let server: SubgraphServer;
    let client: SubgraphClient;
    let serverClosed: Promise<void> | undefined;

    beforeEach(async () => {
      serverClosed = undefined;
      db = await openTestDatabase();
      store = await EntityStore.open({ knex: db.knex, namespace: 'sg_client', schemaSdl: ORIGIN_SCHEMA });
      server = await startSubgraphServer({ subgraphs: [{ name: 'origin', deployment: 'QmClient', store, startBlock: 3n }] });
      client = new SubgraphClient({ name: 'origin', http: server.url('origin'), ws: server.wsUrl('origin') });
    });
    afterEach(async () => {
      await client.close();
      await (serverClosed ?? server.close());
      await db.close();
    });

    it('a subscription answered "has not started syncing yet" is a transient failure, not a server without subscriptions', async () => {
      const error = await firstValueFrom(client.subscribe(LIVE, { fromBlock: 3, first: 10 })).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).to.be.instanceOf(SubgraphNotStartedError);
      expect(error).not.to.be.instanceOf(SubscriptionsUnavailableError);
    });

    it('a socket lost after connection_ack is a transient failure, not a server without subscriptions', async () => {
      await store.commitBlock(block(3), writes(stakeRequested(3, 0)));
      const failure = new Promise<unknown>((resolve) => client.subscribe(LIVE, { fromBlock: 1, first: 10 }).subscribe({ next: () => (serverClosed ??= server.close()), error: resolve }));
      const error = await failure;
      expect(error).to.be.instanceOf(Error).and.not.instanceOf(SubscriptionsUnavailableError);
      expect(client.supportsSubscriptions).to.equal(true);
    });

    it("classifies graph-node's block errors: not started, not yet indexed (with the indexed block), before the start block (with it)", async () => {
      const page = (atBlock: number) => client.query(entityDocuments('StakeRequested').page, { fromBlock: 0, atBlock, afterId: '', first: 10 });
      const notStarted = await client.head().catch((error: unknown) => error);
      expect(notStarted).to.be.instanceOf(SubgraphNotStartedError);
      await store.commitBlock(block(3), undefined);
      await store.commitBlock(block(4), undefined);
      const ahead = await page(6).catch((error: unknown) => error);
      expect(ahead).to.be.instanceOf(BlockNotYetIndexedError).with.property('indexedThrough', 4);
      const early = await page(2).catch((error: unknown) => error);
      expect(early).to.be.instanceOf(BlockBeforeStartError).with.property('startBlock', 3);
      expect(await page(4)).to.deep.equal({ entities: [] });
      const unknown = await client.query(parse('{ nothing }')).catch((error: unknown) => error);
      expect(unknown).to.be.instanceOf(Error).and.not.instanceOf(BlockNotYetIndexedError);
    });
  });
});
