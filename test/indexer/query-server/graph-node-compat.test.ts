import { expect } from 'chai';
import { EntityStore } from '../../../src/indexer/entity-store/entity-store';
import { pluralField } from '../../../src/indexer/query-server/naming';
import { apiModel } from '../../../src/indexer/query-server/api-model';
import { startSubgraphServer, type SubgraphServer } from '../../../src/indexer/query-server/subgraph-server';
import type { BlockWrites, EntityData, StoreValue } from '../../../src/indexer/wasm/types';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';

/** A subgraph with strings, enums, references, derived and list fields. */
const SCHEMA = `
enum Kind { Small, Large }
type Token @entity {
  id: ID!
  name: String!
  kind: Kind!
  tags: [String!]!
  data: Bytes!
  price: BigDecimal!
  owner: Account!
}
type Account @entity {
  id: ID!
  label: String!
  tokens: [Token!]! @derivedFrom(field: "owner")
}
type Stats @entity { id: ID! count: Int! }
`;

const s = (value: string): StoreValue => ({ kind: 'String', value });
const bytes = (hex: string): StoreValue => ({ kind: 'Bytes', value: Uint8Array.from(Buffer.from(hex, 'hex')) });
const token = (id: string, name: string, kind: string, tags: string[], data: string, price: string, owner: string): [string, EntityData] => [
  id,
  new Map<string, StoreValue>([
    ['id', s(id)], ['name', s(name)], ['kind', s(kind)], ['tags', { kind: 'Array', value: tags.map(s) }],
    ['data', bytes(data)], ['price', { kind: 'BigDecimal', value: price }], ['owner', s(owner)],
  ]),
];
const account = (id: string, label: string): [string, EntityData] => [id, new Map([['id', s(id)], ['label', s(label)]])];
const block = (n: number) => ({ number: BigInt(n), hash: `0x${n.toString(16).padStart(64, '0')}`, parentHash: `0x${(n - 1).toString(16).padStart(64, '0')}`, timestamp: BigInt(1000 + n) });

describe('embedded indexer answers as graph-node does', () => {
  let db: TestDatabase;
  let server: SubgraphServer;
  let url: string;
  let failed = false;

  before(async () => {
    db = await openTestDatabase();
    const store = await EntityStore.open({ knex: db.knex, namespace: 'sg_compat', schemaSdl: SCHEMA });
    await store.commitBlock(block(10), new Map([
      ['Account', new Map([account('alice', 'Alice'), account('bob', 'Bob')])],
      ['Token', new Map([
        token('t1', 'Apple', 'Small', ['red', 'fruit'], 'aabbcc', '10.5', 'alice'),
        token('t2', 'banana', 'Large', ['yellow'], '0abbc0', '9.75', 'bob'),
        token('t3', 'Cherry_x', 'Small', [], 'ccdd', '100', 'alice'),
      ])],
    ]) as BlockWrites);
    await store.commitBlock(block(11), undefined);
    server = await startSubgraphServer({ subgraphs: [{ name: 'compat', deployment: 'QmCompat', store, startBlock: 10n, hasIndexingErrors: () => failed }] });
    url = server.url('compat');
  });
  after(async () => {
    await server.close();
    await db.close();
  });

  const post = async (query: string, variables?: Record<string, unknown>, path = url) => {
    const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: JSON.stringify({ query, variables }) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string }> } };
  };
  const message = async (query: string, variables?: Record<string, unknown>) => (await post(query, variables)).body.errors?.[0]?.message;
  const ids = async (query: string) => ((await post(query)).body.data?.tokens as Array<{ id: string }>).map((t) => t.id);

  // graph/src/data/graphql/ext.rs camel_cased_names (Inflector to_plural + to_camel_case)
  it('names root fields with Inflector', () => {
    expect(pluralField('Stats')).to.equal('stats_collection');
    expect(pluralField('ERC20Transfer')).to.equal('erc20Transfers');
    expect(pluralField('StakeRequested')).to.equal('stakeRequesteds');
    expect(pluralField('Category')).to.equal('categories');
    expect(pluralField('Box')).to.equal('boxes');
  });

  // graphql/src/execution/query.rs (validation off; unknown arguments dropped; empty selections dropped); coercion.rs (enums from strings)
  it('runs what graphql-js would reject: unknown arguments, enums as strings, untyped variables, missing sub-selections', async () => {
    expect((await post('{ tokens(nope: 1) { id } }')).body).to.deep.equal({ data: { tokens: [{ id: 't1' }, { id: 't2' }, { id: 't3' }] } });
    expect(await ids('{ tokens(where: { kind: "Large" }) { id } }')).to.deep.equal(['t2']);
    expect(await ids('query($n: String) { tokens(first: $n) { id } }')).to.deep.equal(['t1', 't2', 't3']);
    expect((await post('{ tokens { id owner } }')).body.data).to.deep.equal({ tokens: [{ id: 't1' }, { id: 't2' }, { id: 't3' }] });
  });

  // graph/src/data/query/result.rs (no data key, always 200, CORS) and error.rs (texts)
  it('answers a failed query 200 with errors only, CORS headers and graph-node texts', async () => {
    const failedQuery = await post('{ x }');
    expect(failedQuery.status).to.equal(200);
    expect(failedQuery.headers.get('access-control-allow-origin')).to.equal('*');
    expect(failedQuery.body).to.deep.equal({ errors: [{ message: 'Type `Query` has no field `x`', locations: [{ line: 1, column: 3 }] }] });
    expect(await message('{ tokens(where: { data: "zz" }) { id } }')).to.equal("Failed to decode `Bytes` value: `Invalid character 'z' at position 0`");
    expect(await message('{ tokens(where: { data: "abc" }) { id } }')).to.equal('Failed to decode `Bytes` value: `Odd number of digits`');
    expect(await message('query A { tokens { id } } query B { tokens { id } }')).to.equal('Operation name required');
    const options = await fetch(url, { method: 'OPTIONS' });
    expect([options.status, options.headers.get('access-control-allow-methods')]).to.deep.equal([200, 'GET, OPTIONS, POST']);
  });

  // graphql/src/store/query.rs build_range, build_order, build_filter_from_object
  it('bounds first to 1..1000, ignores orderDirection without orderBy, refuses or beside column filters', async () => {
    expect(await message('{ tokens(first: 0) { id } }')).to.equal('The `first` argument must be between 0 and 1000, but is 0');
    expect(await message('{ tokens(first: 1001) { id } }')).to.equal('The `first` argument must be between 0 and 1000, but is 1001');
    expect(await ids('{ tokens(skip: 100000) { id } }')).to.deep.equal([]);
    expect(await ids('{ tokens(orderDirection: desc) { id } }')).to.deep.equal(['t1', 't2', 't3']);
    expect(await message('{ tokens(where: { name: "Apple", or: [{ id: "t2" }] }) { id } }')).to.match(/^Cannot mix column filters with 'or' operator at the same level. Found column filter\(s\) 'name' alongside 'or' operator./);
  });

  // graph/src/data/store/scalar/bytes.rs (hex, 0x optional); relational_queries.rs (position() on bytes, numeric compare)
  it('decodes Bytes filters, matches _contains on whole bytes, compares BigDecimal as numbers', async () => {
    expect(await ids('{ tokens(where: { data: "aabbcc" }) { id } }')).to.deep.equal(['t1']);
    expect(await ids('{ tokens(where: { data: "0xAABBCC" }) { id } }')).to.deep.equal(['t1']);
    expect(await ids('{ tokens(where: { data_contains: "bbcc" }) { id } }')).to.deep.equal(['t1']);
    expect(await ids('{ tokens(where: { data_contains: "bc" }) { id } }'), 'bc only at a half-byte offset').to.deep.equal([]);
    expect(await ids('{ tokens(where: { price_gt: "10" }) { id } }')).to.deep.equal(['t1', 't3']);
    expect(await ids('{ tokens(orderBy: price) { id } }')).to.deep.equal(['t2', 't1', 't3']);
  });

  // graph/src/schema/api.rs field_filter_ops (String), field_list_filter_input_values, extend_with_child_filter_input_value, field_enum_values_from_child_entity
  it('serves string patterns, enums, references, child filters and ordering, derived and list fields', async () => {
    expect(await ids('{ tokens(where: { name_starts_with_nocase: "ap" }) { id } }')).to.deep.equal(['t1']);
    expect(await ids('{ tokens(where: { name_not_ends_with: "ana" }) { id } }')).to.deep.equal(['t1', 't3']);
    expect(await ids('{ tokens(where: { name_contains_nocase: "RR" }) { id } }')).to.deep.equal(['t3']);
    expect(await ids('{ tokens(where: { tags_contains: ["fruit"] }) { id } }')).to.deep.equal(['t1']);
    expect(await ids('{ tokens(where: { owner_: { label: "Bob" } }) { id } }')).to.deep.equal(['t2']);
    expect(await ids('{ tokens(orderBy: owner__label, orderDirection: desc) { id } }')).to.deep.equal(['t2', 't3', 't1']);
    const nested = await post('{ account(id: "alice") { label tokens(orderBy: name) { name kind owner { id } } } }');
    expect(nested.body.data).to.deep.equal({ account: { label: 'Alice', tokens: [{ name: 'Apple', kind: 'Small', owner: { id: 'alice' } }, { name: 'Cherry_x', kind: 'Small', owner: { id: 'alice' } }] } });
    expect(await post('{ accounts(where: { tokens_: { name: "banana" } }) { id } }').then((r) => r.body.data)).to.deep.equal({ accounts: [{ id: 'bob' }] });
    expect((await post('{ stats_collection { id } }')).body.data).to.deep.equal({ stats_collection: [] });
  });

  // graph/src/data/subgraph/mod.rs DeploymentState::block_queryable; graphql/src/query/ext.rs BlockConstraint; resolver.rs lookup_meta
  it('refuses blocks before the start and block: {}, honours _meta(block:) and fills parentHash', async () => {
    expect(await message('{ tokens(block: { number: 9 }) { id } }')).to.equal(
      'Failed to decode `block.number` value: `subgraph QmCompat only has data starting at block number 10 and data for block number 9 is therefore not available`',
    );
    expect(await message('{ tokens(block: {}) { id } }')).to.equal('Invalid value provided for argument `block`: {}');
    const meta = await post('{ at: _meta(block: { number: 10 }) { block { number hash } } now: _meta { deployment block { number parentHash timestamp } } }');
    expect(meta.body.data).to.deep.equal({
      at: { block: { number: 10, hash: null } },
      now: { deployment: 'QmCompat', block: { number: 11, parentHash: block(10).hash, timestamp: 1011 } },
    });
  });

  // graph/src/data/query/result.rs + resolver.rs post_process (indexing_error, deny keeps _meta only)
  it('reports a failed handler: hasIndexingErrors, indexing_error under deny, data under allow', async () => {
    failed = true;
    try {
      const denied = await post('{ tokens { id } _meta { hasIndexingErrors } }');
      expect(denied.body).to.deep.equal({ data: { _meta: { hasIndexingErrors: true } }, errors: [{ message: 'indexing_error' }] });
      const allowed = await post('{ tokens(subgraphError: allow, first: 1) { id } }');
      expect(allowed.body).to.deep.equal({ data: { tokens: [{ id: 't1' }] }, errors: [{ message: 'indexing_error' }] });
    } finally {
      failed = false;
    }
  });

  // server/http/src/service.rs handle_call
  it('routes by deployment id, serves GraphiQL on GET and names an unknown deployment', async () => {
    const byId = await post('{ tokens(first: 1) { id } }', undefined, url.replace('/subgraphs/name/compat', '/subgraphs/id/QmCompat'));
    expect(byId.body.data).to.deep.equal({ tokens: [{ id: 't1' }] });
    const unknown = await post('{ tokens { id } }', undefined, url.replace('compat', 'nope'));
    expect(unknown.body).to.deep.equal({ errors: [{ message: 'deployment `nope` does not exist' }] });
    const redirect = await fetch(url, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).to.deep.equal([302, '/subgraphs/name/compat/graphql']);
    expect(await (await fetch(`${url}/graphql`)).text()).to.contain('graphiql');
  });

  // graph/src/schema/api.rs: what the embedded indexer cannot serve is refused, never dropped
  it('refuses a subgraph using a feature it does not serve, naming it', () => {
    expect(() => apiModel('interface Named { id: ID! } type A @entity { id: ID! }')).to.throw('interface Named: interfaces are not served by the embedded indexer');
    expect(() => apiModel('type A @entity(timeseries: true) { id: Int8! timestamp: Timestamp! }')).to.throw(/timeseries/);
  });
});
