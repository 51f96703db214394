import { expect } from 'chai';
import { parseSchema, validateEntity } from '../../../src/indexer/wasm/schema';
import type { EntityData, StoreValue } from '../../../src/indexer/wasm/types';

const SDL = `
enum Color { RED, BLUE }
type Account @entity(immutable: false) {
  id: Bytes!
  name: String
  balance: BigInt!
  tags: [String!]!
  color: Color
  transfers: [Transfer!]! @derivedFrom(field: "from")
}
type Transfer @entity(immutable: true) {
  id: ID!
  from: Account!
  amount: BigDecimal!
  count: Int!
  big: Int8
  at: Timestamp
  ok: Boolean!
}
type NotAnEntity { x: Int }
`;

const entity = (fields: Record<string, StoreValue>): EntityData => new Map(Object.entries(fields));

describe('subgraph schema checks (store.set)', () => {
  const schema = parseSchema(SDL);

  it('reads entity types, fields, immutability and derived fields', () => {
    expect([...schema.entityTypes.keys()]).to.deep.equal(['Account', 'Transfer']);
    expect(schema.entityTypes.get('Transfer')?.immutable).to.equal(true);
    expect(schema.entityTypes.get('Account')?.immutable).to.equal(false);
    expect(schema.entityTypes.get('Account')?.fields.get('tags')).to.deep.equal({ name: 'tags', type: 'String', nonNull: true, list: true, derived: false });
    expect(schema.entityTypes.get('Account')?.fields.get('transfers')?.derived).to.equal(true);
    expect(schema.enums.has('Color')).to.equal(true);
  });

  it('accepts entities that fit, nullable fields missing or null', () => {
    const accountId = new Uint8Array([0xab, 0x01]);
    validateEntity(schema, 'Account', '0xab01', entity({
      id: { kind: 'Bytes', value: accountId },
      balance: { kind: 'BigInt', value: 5n },
      tags: { kind: 'Array', value: [{ kind: 'String', value: 'a' }] },
      color: { kind: 'String', value: 'RED' },
      name: { kind: 'Null' },
    }));
    validateEntity(schema, 'Transfer', 't1', entity({
      id: { kind: 'String', value: 't1' },
      from: { kind: 'Bytes', value: accountId },
      amount: { kind: 'BigDecimal', value: '1.5' },
      count: { kind: 'Int', value: 3 },
      big: { kind: 'Int8', value: -1n },
      at: { kind: 'Timestamp', value: 1n },
      ok: { kind: 'Bool', value: false },
    }));
  });

  it('refuses what graph-node refuses, naming the entity and field', () => {
    const ok = (): EntityData => entity({ id: { kind: 'String', value: 't' }, from: { kind: 'Bytes', value: new Uint8Array([1]) }, amount: { kind: 'BigDecimal', value: '1' }, count: { kind: 'Int', value: 1 }, ok: { kind: 'Bool', value: true } });
    expect(() => validateEntity(schema, 'Nope', 't', ok())).to.throw('entity type Nope is not in the subgraph schema');
    expect(() => validateEntity(schema, 'NotAnEntity', 't', ok())).to.throw('entity type NotAnEntity is not in the subgraph schema');
    const missing = ok();
    missing.delete('count');
    expect(() => validateEntity(schema, 'Transfer', 't', missing)).to.throw('Entity Transfer[t]: missing value for non-nullable field `count`');
    expect(() => validateEntity(schema, 'Transfer', 't', ok().set('count', { kind: 'Null' }))).to.throw('field `count` of type Int cannot hold a Null value');
    expect(() => validateEntity(schema, 'Transfer', 't', ok().set('count', { kind: 'BigInt', value: 1n }))).to.throw('field `count` of type Int cannot hold a BigInt value');
    expect(() => validateEntity(schema, 'Transfer', 't', ok().set('extra', { kind: 'Int', value: 1 }))).to.throw('Entity Transfer[t]: unknown field `extra`');
    expect(() => validateEntity(schema, 'Transfer', 't', ok().set('from', { kind: 'String', value: 'a' }))).to.throw('field `from` of type Account cannot hold a String value');
    expect(() => validateEntity(schema, 'Transfer', 'other', ok())).to.throw('Entity Transfer[other]: the id field (t) differs from the id passed to store.set');
    const account = entity({ id: { kind: 'Bytes', value: new Uint8Array([1]) }, balance: { kind: 'BigInt', value: 1n }, tags: { kind: 'Array', value: [{ kind: 'Int', value: 1 }] } });
    expect(() => validateEntity(schema, 'Account', '0x01', account)).to.throw('field `tags` of type String cannot hold a Array value');
    account.set('tags', { kind: 'Array', value: [] }).set('transfers', { kind: 'Array', value: [] });
    expect(() => validateEntity(schema, 'Account', '0x01', account)).to.throw('field `transfers` is derived and cannot be set');
  });
});
