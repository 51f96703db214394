import { expect } from 'chai';
import { EntityStore } from '../../../src/indexer/entity-store/entity-store';
import type { BlockWrites, EntityData, StoreValue } from '../../../src/indexer/wasm/types';
import { NonRetryableError } from '../../../src/errors/facilitator-error';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';

const SCHEMA = `
type Event @entity(immutable: true) {
  id: ID!
  n: BigInt!
}
type Counter @entity {
  id: ID!
  value: BigInt!
  note: String
}
`;

const entity = (id: string, value: bigint, note?: string): [string, EntityData] => {
  const data = new Map<string, StoreValue>([
    ['id', { kind: 'String', value: id }],
    ['value', { kind: 'BigInt', value }],
  ]);
  if (note !== undefined) data.set('note', { kind: 'String', value: note });
  return [id, data];
};
const event = (id: string, n: bigint): [string, EntityData] => [id, new Map<string, StoreValue>([['id', { kind: 'String', value: id }], ['n', { kind: 'BigInt', value: n }]])];
const block = (n: number) => ({ number: BigInt(n), hash: `0x${n.toString(16).padStart(64, '0')}`, parentHash: `0x${(n - 1).toString(16).padStart(64, '0')}`, timestamp: BigInt(1000 + n) });
const writes = (types: Record<string, Array<[string, EntityData]>>) => new Map(Object.entries(types).map(([type, list]) => [type, new Map(list)])) as BlockWrites;

/** Every stored version of a type as [id, block_from, block_to, value], in insertion order. */
async function versions(db: TestDatabase, store: EntityStore, type: string, column: string): Promise<unknown[][]> {
  const rows = (await db.knex(store.tableOf(type)).orderBy('vid')) as Array<Record<string, unknown>>;
  return rows.map((r) => [r.id, Number(r.block_from), r.block_to === null ? null : Number(r.block_to), r[column]]);
}

describe('entity store: a range of blocks committed in one transaction', () => {
  let db: TestDatabase;
  let store: EntityStore;
  beforeEach(async () => {
    db = await openTestDatabase();
    store = await EntityStore.open({ knex: db.knex, namespace: 'sg_batch', schemaSdl: SCHEMA });
  });
  afterEach(async () => db.close());

  it('leaves the same versions, blocks and cursor as one commit per block', async () => {
    const blocks = [
      { block: block(1), writes: writes({ Counter: [entity('c', 1n), entity('d', 7n)], Event: [event('e1', 1n)] }) },
      { block: block(2), writes: undefined },
      { block: block(3), writes: writes({ Counter: [entity('c', 2n, 'x')] }) },
      { block: block(4), writes: writes({ Counter: [entity('c', 3n)], Event: [event('e4', 4n)] }) },
    ];
    await store.commitBlocks(blocks);
    const batched = [await versions(db, store, 'Counter', 'f_note'), await versions(db, store, 'Event', 'f_n')];
    const cursor = await store.cursor();
    const recent = await store.recentBlocks(10);

    await db.close();
    db = await openTestDatabase();
    store = await EntityStore.open({ knex: db.knex, namespace: 'sg_batch', schemaSdl: SCHEMA });
    for (const { block: b, writes: w } of blocks) await store.commitBlock(b, w);
    expect(batched).to.deep.equal([await versions(db, store, 'Counter', 'f_note'), await versions(db, store, 'Event', 'f_n')]);
    expect(await store.cursor()).to.deep.equal(cursor);
    expect(await store.recentBlocks(10)).to.deep.equal(recent);
    expect(batched[0]).to.deep.equal([
      ['c', 1, 3, null],
      ['d', 1, null, null],
      ['c', 3, 4, 'x'],
      ['c', 4, null, null],
    ]);
  });

  it('closes versions stored by earlier commits, and answers queries at every block of the range', async () => {
    await store.commitBlock(block(1), writes({ Counter: [entity('c', 1n)] }));
    await store.commitBlocks([
      { block: block(2), writes: writes({ Counter: [entity('c', 2n)] }) },
      { block: block(3), writes: writes({ Counter: [entity('c', 3n)] }) },
    ]);
    const at = async (n: bigint) => (await store.findOne('Counter', 'c', n))?.value;
    expect([await at(1n), await at(2n), await at(3n)]).to.deep.equal(['1', '2', '3']);
  });

  it('an immutable entity set again: the blocks before it are committed, its block is not, and the error is deterministic', async () => {
    await store.commitBlock(block(1), writes({ Event: [event('e', 1n)] }));
    const changes: bigint[] = [];
    store.changes$.subscribe((c) => changes.push(c.blockNumber));
    let failure: unknown;
    try {
      await store.commitBlocks([
        { block: block(2), writes: writes({ Counter: [entity('c', 2n)] }) },
        { block: block(3), writes: writes({ Counter: [entity('c', 3n)], Event: [event('e', 3n)] }) },
        { block: block(4), writes: undefined },
      ]);
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(NonRetryableError);
    expect((failure as Error).message).to.equal('immutable entity Event e already exists (set again at block 3)');
    expect((await store.cursor())!.number).to.equal(2n);
    expect(await versions(db, store, 'Counter', 'f_note')).to.deep.equal([['c', 2, null, null]]);
    expect(await versions(db, store, 'Event', 'f_n')).to.have.length(1);
    expect(changes).to.deep.equal([2n]);
  });

  it('writes more rows than one statement may bind', async () => {
    const many = Array.from({ length: 3_000 }, (_, i) => event(`e${i}`, BigInt(i)));
    await store.commitBlocks([{ block: block(1), writes: writes({ Event: many }) }]);
    const more = Array.from({ length: 3_000 }, (_, i) => entity(`c${i}`, BigInt(i)));
    await store.commitBlocks([
      { block: block(2), writes: writes({ Counter: more }) },
      { block: block(3), writes: writes({ Counter: more.map(([id]) => entity(id, 0n)) }) },
    ]);
    expect(Number((await db.knex(store.tableOf('Event')).count({ n: '*' }))[0].n)).to.equal(3_000);
    expect(Number((await db.knex(store.tableOf('Counter')).whereNull('block_to').count({ n: '*' }))[0].n)).to.equal(3_000);
    expect((await store.findOne('Counter', 'c2999', 2n))?.value).to.equal('2999');
    expect((await store.findOne('Counter', 'c2999', 3n))?.value).to.equal('0');
  });
});
