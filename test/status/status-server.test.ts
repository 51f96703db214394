import { expect } from 'chai';
import { createClient } from 'graphql-ws';
import { request } from 'node:http';
import { Subject } from 'rxjs';
import WebSocket from 'ws';
import type { MessageRecord } from '../../src/facilitation/model';
import { startStatusServer, type StatusServer } from '../../src/status/status-server';
import type { StatusSource } from '../../src/status/status-source';

/**
 * A status source with nothing in it, counting how often `workers` (RPC calls in real life) and the
 * message counts (a scan of the messages) are read.
 */
function fakeSource(): StatusSource & { workerReads: number; countReads: number } {
  const source = {
    workerReads: 0,
    countReads: 0,
    stakeRequest: async () => undefined,
    stakeRequests: async () => [],
    stakeRequestCounts: async () => [],
    message: async () => undefined,
    messages: async () => [],
    messageCounts: async () => {
      source.countReads++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return [
        { direction: 'STAKE' as const, state: 'COMPLETED' as const, count: 2 },
        { direction: 'REDEEM' as const, state: 'COMPLETED' as const, count: 1 },
      ];
    },
    transactionsFor: async () => [],
    workers: async () => {
      source.workerReads++;
      return [{ chainId: 1, address: '0x01', balance: 5n, pendingTransactions: [] }];
    },
    streams: async () => [],
    engineCounters: () => [],
    rpcEndpoints: () => [],
    chains: async () => [],
    messageChanges$: new Subject<MessageRecord>(),
    role: () => 'active' as const,
    history: async () => [],
    waitingFor: async () => null,
  };
  return source;
}

/** A raw HTTP POST (fetch forbids setting Origin/Host as a browser would send them). */
function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const query = (q: string) => JSON.stringify({ query: q });

/** Opens a WebSocket; resolves with 'open' or the HTTP status of a refused upgrade. */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { headers });
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('error', () => undefined);
  });
}

describe('status API limits and guards', function () {
  this.timeout(30_000);
  let server: StatusServer;
  let source: ReturnType<typeof fakeSource>;

  beforeEach(async () => {
    source = fakeSource();
    server = await startStatusServer({ source, host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => server.close());

  it('answers a body over 1 MiB with 413 and a JSON error, without reading it all', async function () {
    const response = await post(server.url, Buffer.alloc(2 * 1024 * 1024, 'a'));
    expect(response.status).to.equal(413);
    expect(JSON.parse(response.body)).to.deep.equal({ errors: [{ message: 'request body too large: the limit is 1048576 bytes' }] });
  });

  it('refuses a document with too many aliases with a GraphQL error naming the limit', async function () {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: messageCounts { count }`).join(' ');
    const response = await post(server.url, query(`{ ${aliases} }`));
    const errors = (JSON.parse(response.body) as { errors: Array<{ message: string }> }).errors;
    expect(errors.map((e) => e.message)).to.deep.equal(['too many aliases: the operation has 40, the limit (maxAliases) is 30']);
  });

  it('reads workers (RPC calls) once for a document aliasing it many times', async function () {
    const aliases = Array.from({ length: 25 }, (_, i) => `w${i}: workers { address balance }`).join(' ');
    const response = await post(server.url, query(`{ ${aliases} }`));
    expect(response.status).to.equal(200);
    expect((JSON.parse(response.body) as { data: { w24: unknown[] } }).data.w24).to.have.length(1);
    expect(source.workerReads).to.equal(1);
  });

  it('reads the message counts once for a document aliasing them many times, and afresh for the next one', async function () {
    const aliases = Array.from({ length: 25 }, (_, i) => `c${i}: messageCounts${i % 2 ? '(direction: REDEEM)' : ''} { state count }`).join(' ');
    const response = await post(server.url, query(`{ ${aliases} }`));
    const data = (JSON.parse(response.body) as { data: Record<string, unknown> }).data;
    expect(data.c0, 'both directions added up').to.deep.equal([{ state: 'COMPLETED', count: 3 }]);
    expect(data.c1).to.deep.equal([{ state: 'COMPLETED', count: 1 }]);
    expect(source.countReads).to.equal(1);
    await post(server.url, query('{ messageCounts { count } }'));
    expect(source.countReads, 'a later document is not answered from the earlier read').to.equal(2);
  });

  it('refuses an HTTP request from a browser page of another origin, or under a rebound Host name', async function () {
    const evil = await post(server.url, query('{ messageCounts { count } }'), { origin: 'http://evil.example' });
    expect(evil.status).to.equal(403);
    expect(evil.body).to.contain('cross-origin request from \\"http://evil.example\\" refused');
    const rebound = await post(server.url, query('{ messageCounts { count } }'), { host: 'evil.example:9465' });
    expect(rebound.status).to.equal(403);
    const local = await post(server.url, query('{ messageCounts { count } }'), { origin: `http://localhost:${server.port}` });
    expect(local.status).to.equal(200);
    const noOrigin = await post(server.url, query('{ messageCounts { count } }'));
    expect(noOrigin.status, 'non-browser clients send no Origin').to.equal(200);
  });

  it('refuses a WebSocket from another origin and accepts one without Origin', async function () {
    expect(await upgrade(server.wsUrl, { origin: 'http://evil.example' })).to.equal(403);
    expect(await upgrade(server.wsUrl)).to.equal('open');
  });

  it('closes a WebSocket whose message is over the payload limit', async function () {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.on('open', resolve));
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.on('error', () => undefined);
    socket.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).to.equal(1009); // message too big
  });

  it('refuses subscriptions past the per-connection limit, naming it', async function () {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
    try {
      const errors: string[] = [];
      const disposers: Array<() => void> = [];
      for (let i = 0; i < 51; i++) {
        disposers.push(
          client.subscribe(
            { query: 'subscription { messageUpdated { messageHash } }' },
            { next: () => undefined, error: (error) => errors.push(JSON.stringify(error)), complete: () => undefined },
          ),
        );
      }
      const deadline = Date.now() + 5000;
      while (errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(errors).to.have.length(1);
      expect(errors[0]).to.contain('too many subscriptions on this connection: the limit (maxSubscriptionsPerConnection) is 50');
      for (const dispose of disposers) dispose();
    } finally {
      await client.dispose();
    }
  });
});
