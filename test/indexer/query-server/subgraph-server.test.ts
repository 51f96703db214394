import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import { EntityStore } from '../../../src/indexer/entity-store/entity-store';
import { startSubgraphServer, type SubgraphServer } from '../../../src/indexer/query-server/subgraph-server';
import type { BlockWrites, EntityData, StoreValue } from '../../../src/indexer/wasm/types';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';

const SCHEMA = `
type Transfer @entity(immutable: true) {
  id: ID!
  amount: BigInt!
  who: Bytes!
  note: String
  ok: Boolean!
  count: Int!
}
type Counter @entity {
  id: ID!
  value: BigInt!
}
`;

const bytes = (hex: string): StoreValue => ({ kind: 'Bytes', value: Uint8Array.from(Buffer.from(hex.replace(/^0x/, ''), 'hex')) });
const big = (value: bigint): StoreValue => ({ kind: 'BigInt', value });

function transfer(id: string, amount: bigint, who: string, ok: boolean, count: number, note?: string): [string, EntityData] {
  const data: EntityData = new Map<string, StoreValue>([
    ['id', { kind: 'String', value: id }],
    ['amount', big(amount)],
    ['who', bytes(who)],
    ['ok', { kind: 'Bool', value: ok }],
    ['count', { kind: 'Int', value: count }],
  ]);
  if (note !== undefined) data.set('note', { kind: 'String', value: note });
  return [id, data];
}

const block = (n: number) => ({ number: BigInt(n), hash: `0x${n.toString(16).padStart(64, '0')}`, parentHash: `0x${(n - 1).toString(16).padStart(64, '0')}`, timestamp: BigInt(1000 + n) });

describe('graph-node-compatible query API over real HTTP', () => {
  let db: TestDatabase;
  let store: EntityStore;
  let server: SubgraphServer;
  let url: string;

  before(async () => {
    db = await openTestDatabase();
    store = await EntityStore.open({ knex: db.knex, namespace: 'sg_test', schemaSdl: SCHEMA });
    const huge = 2n ** 255n + 7n;
    await store.commitBlock(block(1), new Map([
      ['Transfer', new Map([transfer('a', 5n, '0xaa01', true, 1, 'first'), transfer('b', huge, '0xbb02', false, 2)])],
      ['Counter', new Map([['c', new Map<string, StoreValue>([['id', { kind: 'String', value: 'c' }], ['value', big(1n)]])]])],
    ]) as BlockWrites);
    await store.commitBlock(block(2), new Map([
      ['Transfer', new Map([transfer('c', 10n ** 20n, '0xaa03', true, 3)])],
      ['Counter', new Map([['c', new Map<string, StoreValue>([['id', { kind: 'String', value: 'c' }], ['value', big(2n)]])]])],
    ]) as BlockWrites);
    await store.commitBlock(block(3), undefined);
    server = await startSubgraphServer({ subgraphs: [{ name: 'test', deployment: 'QmTest', store }] });
    url = server.url('test');
  });
  after(async () => {
    await server.close();
    await db.close();
  });

  const query = async <T = Record<string, unknown>>(q: string) =>
    (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q }) })).json()) as { data?: T; errors?: Array<{ message: string }> };
  const ids = async (q: string) => ((await query<{ transfers: Array<{ id: string }> }>(q)).data?.transfers ?? []).map((t) => t.id);

  it('orders by id by default and BigInt fields numerically (2^255 included), both directions', async () => {
    expect(await ids('{ transfers { id } }')).to.deep.equal(['a', 'b', 'c']);
    expect(await ids('{ transfers(orderBy: amount) { id } }')).to.deep.equal(['a', 'c', 'b']);
    expect(await ids('{ transfers(orderBy: amount, orderDirection: desc) { id } }')).to.deep.equal(['b', 'c', 'a']);
    const b = await query<{ transfer: { amount: string; who: string; ok: boolean; count: number; note: string | null } }>('{ transfer(id: "b") { amount who ok count note } }');
    expect(b.data!.transfer).to.deep.equal({ amount: (2n ** 255n + 7n).toString(), who: '0xbb02', ok: false, count: 2, note: null });
  });

  it('applies every filter suffix, and/or, and paginates', async () => {
    expect(await ids('{ transfers(where: { amount_gt: "5" }) { id } }')).to.deep.equal(['b', 'c']);
    expect(await ids('{ transfers(where: { amount_lte: "100000000000000000000" }) { id } }')).to.deep.equal(['a', 'c']);
    expect(await ids('{ transfers(where: { amount_gte: "5", amount_lt: "6" }) { id } }')).to.deep.equal(['a']);
    expect(await ids('{ transfers(where: { id_in: ["a", "c"] }) { id } }')).to.deep.equal(['a', 'c']);
    expect(await ids('{ transfers(where: { id_not_in: ["a"] }) { id } }')).to.deep.equal(['b', 'c']);
    expect(await ids('{ transfers(where: { ok: false }) { id } }')).to.deep.equal(['b']);
    expect(await ids('{ transfers(where: { ok_not: false }) { id } }')).to.deep.equal(['a', 'c']);
    expect(await ids('{ transfers(where: { who_contains: "aa" }) { id } }')).to.deep.equal(['a', 'c']);
    expect(await ids('{ transfers(where: { who_not_contains: "aa" }) { id } }')).to.deep.equal(['b']);
    expect(await ids('{ transfers(where: { note: "first" }) { id } }')).to.deep.equal(['a']);
    expect(await ids('{ transfers(where: { id_gt: "a" }) { id } }')).to.deep.equal(['b', 'c']);
    expect(await ids('{ transfers(where: { or: [{ id: "a" }, { count_gte: 3 }] }) { id } }')).to.deep.equal(['a', 'c']);
    expect(await ids('{ transfers(where: { and: [{ ok: true }, { count_gt: 1 }] }) { id } }')).to.deep.equal(['c']);
    expect(await ids('{ transfers(first: 1, skip: 1) { id } }')).to.deep.equal(['b']);
  });

  it('travels in time by block number and hash, filters by _change_block, and reports _meta', async () => {
    expect(await ids('{ transfers(block: { number: 1 }) { id } }')).to.deep.equal(['a', 'b']);
    expect(await ids(`{ transfers(block: { hash: "${block(1).hash}" }) { id } }`)).to.deep.equal(['a', 'b']);
    expect(await ids('{ transfers(where: { _change_block: { number_gte: 2 } }) { id } }')).to.deep.equal(['c']);
    const counters = await query<{ at1: { value: string }; now: { value: string } }>('{ at1: counter(id: "c", block: { number: 1 }) { value } now: counter(id: "c") { value } }');
    expect(counters.data).to.deep.equal({ at1: { value: '1' }, now: { value: '2' } });
    const meta = await query<{ _meta: { block: { number: number; hash: string }; deployment: string; hasIndexingErrors: boolean } }>('{ _meta { block { number hash } deployment hasIndexingErrors } }');
    expect(meta.data!._meta).to.deep.equal({ block: { number: 3, hash: block(3).hash }, deployment: 'QmTest', hasIndexingErrors: false });
  });

  it('answers like graph-node for blocks not yet indexed, bad arguments and unknown fields', async () => {
    const future = await query('{ transfers(block: { number: 9 }) { id } }');
    expect(future.errors![0].message).to.equal(
      'Failed to decode `block.number` value: `subgraph QmTest has only indexed up to block number 3 and data for block number 9 is therefore not yet available`',
    );
    expect((await query('{ transfers(first: 1001) { id } }')).errors![0].message).to.match(/first.*between 0 and 1000/);
    expect((await query('{ transfers(skip: 5001) { id } }')).data, 'skip is unlimited by default (graph/src/env/graphql.rs)').to.deep.equal({ transfers: [] });
    expect((await query('{ transfers(where: { nope: 1 }) { id } }')).errors![0].message).to.match(/^Invalid value provided for argument `where`: .*nope/);
    expect((await query('{ transfers { id ')).errors![0].message).to.match(/Syntax Error/);
  });

  it('refuses a body over 1 MiB (413), too many aliases, and browser requests from another origin (HTTP and WebSocket)', async () => {
    const raw = (body: string | Buffer, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const big = await raw(Buffer.alloc(2 * 1024 * 1024, ' '));
    expect(big.status).to.equal(413);
    expect(big.body).to.contain('request body too large: the limit is 1048576 bytes');

    const aliases = Array.from({ length: 31 }, (_, i) => `t${i}: transfers { id }`).join(' ');
    expect((await query(`{ ${aliases} }`)).errors![0].message).to.equal('too many aliases: the operation has 31, the limit (maxAliases) is 30');

    const evil = await raw(JSON.stringify({ query: '{ transfers { id } }' }), { origin: 'http://evil.example' });
    expect(evil.status).to.equal(403);
    expect((await raw(JSON.stringify({ query: '{ transfers { id } }' }))).status, 'no Origin: a non-browser client').to.equal(200);

    const upgrade = (headers: Record<string, string>) =>
      new Promise<'open' | number>((resolve) => {
        const socket = new WebSocket(server.wsUrl('test'), 'graphql-transport-ws', { headers });
        socket.on('open', () => {
          socket.close();
          resolve('open');
        });
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.on('error', () => undefined);
      });
    expect(await upgrade({ origin: 'http://evil.example' })).to.equal(403);
    expect(await upgrade({})).to.equal('open');
  });

  it('rolls back: entities above the target vanish and closed versions reopen', async () => {
    await store.rollbackTo(1n);
    expect(await ids('{ transfers { id } }')).to.deep.equal(['a', 'b']);
    const counter = await query<{ counter: { value: string } }>('{ counter(id: "c") { value } }');
    expect(counter.data!.counter.value).to.equal('1');
    const meta = await query<{ _meta: { block: { number: number } } }>('{ _meta { block { number } } }');
    expect(meta.data!._meta.block.number).to.equal(1);
  });

  it('commits a block atomically: a failing write leaves nothing behind', async () => {
    const before = await store.cursor();
    const bad = new Map([['Transfer', new Map([transfer('a', 1n, '0x01', true, 1)])]]) as BlockWrites; // immutable 'a' again
    let failed = false;
    try {
      await store.commitBlock(block(5), bad);
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
    expect(await store.cursor()).to.deep.equal(before);
  });
});
