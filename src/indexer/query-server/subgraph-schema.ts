import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLError,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';
import { filter, type Observable } from 'rxjs';
import type { EntityStore, EntityJson, StoreChange } from '../entity-store/entity-store';
import { QueryInputError } from '../entity-store/entity-store';
import type { EntityFieldInfo, EntityTypeInfo } from '../wasm/types';
import { pluralField, singularField } from './naming';

const stringScalar = (name: string, description: string) =>
  new GraphQLScalarType({ name, description, serialize: (v) => String(v), parseValue: (v) => String(v) });

const BigIntType = stringScalar('BigInt', 'Arbitrary-size integer, as a decimal string');
const BigDecimalType = stringScalar('BigDecimal', 'Arbitrary-precision decimal, as a string');
const BytesType = stringScalar('Bytes', 'Bytes, as lowercase 0x-hex');
const Int8Type = stringScalar('Int8', '64-bit integer, as a decimal string');
const TimestampType = stringScalar('Timestamp', 'Microseconds since the epoch, as a decimal string');

const OrderDirection = new GraphQLEnumType({ name: 'OrderDirection', values: { asc: { value: 'asc' }, desc: { value: 'desc' } } });
const SubgraphErrorPolicy = new GraphQLEnumType({ name: '_SubgraphErrorPolicy_', values: { allow: { value: 'allow' }, deny: { value: 'deny' } } });
const BlockHeight = new GraphQLInputObjectType({
  name: 'Block_height',
  fields: { hash: { type: BytesType }, number: { type: GraphQLInt }, number_gte: { type: GraphQLInt } },
});
const BlockChangedFilter = new GraphQLInputObjectType({
  name: 'BlockChangedFilter',
  fields: { number_gte: { type: new GraphQLNonNull(GraphQLInt) } },
});
const MetaBlock = new GraphQLObjectType({
  name: '_Block_',
  fields: { number: { type: new GraphQLNonNull(GraphQLInt) }, hash: { type: BytesType }, timestamp: { type: GraphQLInt }, parentHash: { type: BytesType } },
});
const Meta = new GraphQLObjectType({
  name: '_Meta_',
  fields: {
    block: { type: new GraphQLNonNull(MetaBlock) },
    deployment: { type: new GraphQLNonNull(GraphQLString) },
    hasIndexingErrors: { type: new GraphQLNonNull(GraphQLBoolean) },
  },
});

function scalarOf(type: string): GraphQLScalarType {
  switch (type) {
    case 'ID':
      return GraphQLID;
    case 'Int':
      return GraphQLInt;
    case 'Boolean':
      return GraphQLBoolean;
    case 'BigInt':
      return BigIntType;
    case 'BigDecimal':
      return BigDecimalType;
    case 'Bytes':
      return BytesType;
    case 'Int8':
      return Int8Type;
    case 'Timestamp':
      return TimestampType;
    default:
      return GraphQLString; // String, enums and entity references (by id)
  }
}

function outputType(field: EntityFieldInfo): GraphQLOutputType {
  let type: GraphQLOutputType = scalarOf(field.type);
  if (field.list) type = new GraphQLList(new GraphQLNonNull(type));
  return field.nonNull ? new GraphQLNonNull(type) : type;
}

export interface SubgraphQueryContext {
  store: EntityStore;
  deployment: string;
}

interface BlockArgument {
  hash?: string;
  number?: number;
  number_gte?: number;
}

/** The block a query reads at, with graph-node's errors when it is not indexed yet. */
async function resolveBlock(context: SubgraphQueryContext, block: BlockArgument | undefined): Promise<bigint> {
  const cursor = await context.store.cursor();
  const indexed = cursor?.number ?? -1n;
  if (!block || (block.number === undefined && block.hash === undefined && block.number_gte === undefined)) {
    return indexed;
  }
  if (block.hash !== undefined) {
    const found = await context.store.blockByHash(block.hash);
    if (!found) throw new GraphQLError(`Failed to decode \`block.hash\` value: \`no block with that hash found\``);
    return found.number;
  }
  const wanted = BigInt(block.number ?? block.number_gte!);
  if (wanted > indexed) {
    const field = block.number !== undefined ? 'block.number' : 'block.number_gte';
    throw new GraphQLError(
      `Failed to decode \`${field}\` value: \`subgraph ${context.deployment} has only indexed up to block number ${indexed} and data for block number ${wanted} is therefore not yet available\``,
    );
  }
  return block.number !== undefined ? wanted : indexed;
}

function queryError(error: unknown): never {
  if (error instanceof QueryInputError) throw new GraphQLError(error.message);
  throw error;
}

const MAX_FIRST = 1000;
const MAX_SKIP = 5000;

/**
 * A graph-node-compatible GraphQL schema for a subgraph's entity types: `foo(id, block)` and
 * `foos(skip, first, orderBy, orderDirection, where, block)` per type, `_meta`, and the same
 * collection fields as subscriptions that push a fresh result whenever a block changes the type.
 */
export function buildSubgraphSchema(store: EntityStore, deployment: string): GraphQLSchema {
  const context: SubgraphQueryContext = { store, deployment };
  const queryFields: GraphQLFieldConfigMap<unknown, unknown> = {};
  const subscriptionFields: GraphQLFieldConfigMap<unknown, unknown> = {};

  for (const type of store.schema.entityTypes.values()) {
    const fields = [...type.fields.values()].filter((f) => !f.derived);
    const objectType = new GraphQLObjectType({
      name: type.name,
      fields: Object.fromEntries(fields.map((f) => [f.name, { type: outputType(f) }])),
    });
    const orderBy = new GraphQLEnumType({
      name: `${type.name}_orderBy`,
      values: Object.fromEntries(fields.filter((f) => !f.list).map((f) => [f.name, { value: f.name }])),
    });
    const filterFields: GraphQLInputFieldConfigMap = {};
    const filterType: GraphQLInputObjectType = new GraphQLInputObjectType({
      name: `${type.name}_filter`,
      fields: () => ({
        ...filterFields,
        _change_block: { type: BlockChangedFilter },
        and: { type: new GraphQLList(filterType) },
        or: { type: new GraphQLList(filterType) },
      }),
    });
    for (const field of fields.filter((f) => !f.list)) {
      const scalar: GraphQLInputType = scalarOf(field.type);
      filterFields[field.name] = { type: scalar };
      filterFields[`${field.name}_not`] = { type: scalar };
      if (field.type !== 'Boolean') {
        for (const suffix of ['_gt', '_lt', '_gte', '_lte']) filterFields[`${field.name}${suffix}`] = { type: scalar };
      }
      filterFields[`${field.name}_in`] = { type: new GraphQLList(new GraphQLNonNull(scalar)) };
      filterFields[`${field.name}_not_in`] = { type: new GraphQLList(new GraphQLNonNull(scalar)) };
      if (field.type === 'Bytes' || field.type === 'String') {
        filterFields[`${field.name}_contains`] = { type: scalar };
        filterFields[`${field.name}_not_contains`] = { type: scalar };
      }
    }
    const collectionArgs = {
      skip: { type: GraphQLInt, defaultValue: 0 },
      first: { type: GraphQLInt, defaultValue: 100 },
      orderBy: { type: orderBy },
      orderDirection: { type: OrderDirection },
      where: { type: filterType },
      block: { type: BlockHeight },
      subgraphError: { type: new GraphQLNonNull(SubgraphErrorPolicy), defaultValue: 'deny' },
    };
    const resolveCollection = async (args: Record<string, unknown>): Promise<EntityJson[]> => {
      const first = args.first as number;
      const skip = args.skip as number;
      if (first < 0 || first > MAX_FIRST) throw new GraphQLError(`The \`first\` argument must be between 0 and ${MAX_FIRST}, but is ${first}`);
      if (skip < 0 || skip > MAX_SKIP) throw new GraphQLError(`The \`skip\` argument must be between 0 and ${MAX_SKIP}, but is ${skip}`);
      const block = await resolveBlock(context, args.block as BlockArgument | undefined);
      if (block < 0n) return [];
      return store
        .findMany(
          type.name,
          {
            where: args.where as Record<string, unknown> | undefined,
            orderBy: args.orderBy as string | undefined,
            orderDirection: args.orderDirection as 'asc' | 'desc' | undefined,
            first,
            skip,
          },
          block,
        )
        .catch(queryError);
    };
    const listType = new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(objectType)));
    queryFields[singularField(type.name)] = {
      type: objectType,
      args: { id: { type: new GraphQLNonNull(GraphQLID) }, block: { type: BlockHeight }, subgraphError: collectionArgs.subgraphError },
      resolve: async (_root, args: { id: string; block?: BlockArgument }) => {
        const block = await resolveBlock(context, args.block);
        return block < 0n ? null : store.findOne(type.name, args.id, block);
      },
    };
    queryFields[pluralField(type.name)] = { type: listType, args: collectionArgs, resolve: (_root, args) => resolveCollection(args) };
    subscriptionFields[pluralField(type.name)] = {
      type: listType,
      args: collectionArgs,
      subscribe: (_root, args: Record<string, unknown>) => liveResults(store.changes$, type, () => resolveCollection(args)),
      resolve: (payload: unknown) => payload,
    };
  }

  queryFields._meta = {
    type: Meta,
    args: { block: { type: BlockHeight } },
    resolve: async () => {
      const cursor = await store.cursor();
      return {
        block: { number: cursor ? Number(cursor.number) : 0, hash: cursor?.hash ?? null, timestamp: cursor?.timestamp !== undefined ? Number(cursor.timestamp) : null },
        deployment,
        hasIndexingErrors: false,
      };
    },
  };

  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: queryFields }),
    subscription: new GraphQLObjectType({ name: 'Subscription', fields: subscriptionFields }),
  });
}

/**
 * The current result at once, then a fresh one after every commit that touched the type. Bursts of
 * commits while a result is being computed collapse into one recomputation; unchanged results are not
 * pushed again.
 */
function liveResults(changes$: Observable<StoreChange>, type: EntityTypeInfo, run: () => Promise<EntityJson[]>): AsyncIterableIterator<EntityJson[]> {
  let dirty = true;
  let closed = false;
  let wake: (() => void) | undefined;
  let last: string | undefined;
  const subscription = changes$.pipe(filter((c) => c.entityTypes.has(type.name))).subscribe(() => {
    dirty = true;
    wake?.();
  });
  const close = () => {
    closed = true;
    subscription.unsubscribe();
    wake?.();
  };
  const iterator: AsyncIterableIterator<EntityJson[]> = {
    async next() {
      for (;;) {
        if (closed) return { value: undefined, done: true };
        if (dirty) {
          dirty = false;
          const value = await run();
          const serialized = JSON.stringify(value);
          if (serialized !== last) {
            last = serialized;
            return { value, done: false };
          }
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
    async return() {
      close();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
