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
  type GraphQLFieldConfig,
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
  /** True once the subgraph stopped on a deterministic mapping failure (graph-node's hasIndexingErrors). */
  hasIndexingErrors: () => boolean;
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

/** One entity type as a GraphQL object: every stored (non-derived) field, typed as graph-node does. */
function entityObjectType(type: EntityTypeInfo, fields: EntityFieldInfo[]): GraphQLObjectType {
  return new GraphQLObjectType({
    name: type.name,
    fields: Object.fromEntries(fields.map((f) => [f.name, { type: outputType(f) }])),
  });
}

/** `<Type>_orderBy`: lists cannot be ordered by, so only scalar fields are values. */
function orderByEnum(type: EntityTypeInfo, fields: EntityFieldInfo[]): GraphQLEnumType {
  return new GraphQLEnumType({
    name: `${type.name}_orderBy`,
    values: Object.fromEntries(fields.filter((f) => !f.list).map((f) => [f.name, { value: f.name }])),
  });
}

/** graph-node's comparison operators for one scalar field: equality, ordering, membership and substring. */
function fieldFilterOperators(field: EntityFieldInfo): GraphQLInputFieldConfigMap {
  const operators: GraphQLInputFieldConfigMap = {};
  const scalar: GraphQLInputType = scalarOf(field.type);
  operators[field.name] = { type: scalar };
  operators[`${field.name}_not`] = { type: scalar };
  if (field.type !== 'Boolean') {
    for (const suffix of ['_gt', '_lt', '_gte', '_lte']) operators[`${field.name}${suffix}`] = { type: scalar };
  }
  operators[`${field.name}_in`] = { type: new GraphQLList(new GraphQLNonNull(scalar)) };
  operators[`${field.name}_not_in`] = { type: new GraphQLList(new GraphQLNonNull(scalar)) };
  if (field.type === 'Bytes' || field.type === 'String') {
    operators[`${field.name}_contains`] = { type: scalar };
    operators[`${field.name}_not_contains`] = { type: scalar };
  }
  return operators;
}

/** `<Type>_filter`: the operators of every scalar field, plus `_change_block` and the recursive `and`/`or`. */
function filterInputType(type: EntityTypeInfo, fields: EntityFieldInfo[]): GraphQLInputObjectType {
  const filterFields: GraphQLInputFieldConfigMap = {};
  // A thunk, because `and`/`or` refer to the type being defined.
  const filterType: GraphQLInputObjectType = new GraphQLInputObjectType({
    name: `${type.name}_filter`,
    fields: () => ({
      ...filterFields,
      _change_block: { type: BlockChangedFilter },
      and: { type: new GraphQLList(filterType) },
      or: { type: new GraphQLList(filterType) },
    }),
  });
  for (const field of fields.filter((f) => !f.list)) Object.assign(filterFields, fieldFilterOperators(field));
  return filterType;
}

/** The arguments of a collection field (`foos`), shared by the query and the subscription. */
function collectionArguments(orderBy: GraphQLEnumType, filterType: GraphQLInputObjectType) {
  return {
    skip: { type: GraphQLInt, defaultValue: 0 },
    first: { type: GraphQLInt, defaultValue: 100 },
    orderBy: { type: orderBy },
    orderDirection: { type: OrderDirection },
    where: { type: filterType },
    block: { type: BlockHeight },
    subgraphError: { type: new GraphQLNonNull(SubgraphErrorPolicy), defaultValue: 'deny' },
  };
}

/** Resolves a collection query for one type, with graph-node's bounds on `first` and `skip`. */
function collectionResolver(context: SubgraphQueryContext, typeName: string) {
  return async (args: Record<string, unknown>): Promise<EntityJson[]> => {
    const first = args.first as number;
    const skip = args.skip as number;
    if (first < 0 || first > MAX_FIRST) throw new GraphQLError(`The \`first\` argument must be between 0 and ${MAX_FIRST}, but is ${first}`);
    if (skip < 0 || skip > MAX_SKIP) throw new GraphQLError(`The \`skip\` argument must be between 0 and ${MAX_SKIP}, but is ${skip}`);
    const block = await resolveBlock(context, args.block as BlockArgument | undefined);
    if (block < 0n) return [];
    return context.store
      .findMany(
        typeName,
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
}

/** Adds `foo(id, block)` and `foos(...)` to the query fields and `foos(...)` to the subscription fields. */
function addEntityTypeFields(
  context: SubgraphQueryContext,
  type: EntityTypeInfo,
  queryFields: GraphQLFieldConfigMap<unknown, unknown>,
  subscriptionFields: GraphQLFieldConfigMap<unknown, unknown>,
): void {
  const { store } = context;
  const fields = [...type.fields.values()].filter((f) => !f.derived);
  const objectType = entityObjectType(type, fields);
  const collectionArgs = collectionArguments(orderByEnum(type, fields), filterInputType(type, fields));
  const resolveCollection = collectionResolver(context, type.name);
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

/** `_meta`: the indexed head block and the deployment id (no indexing errors are ever reported). */
function metaField(context: SubgraphQueryContext): GraphQLFieldConfig<unknown, unknown> {
  return {
    type: Meta,
    args: { block: { type: BlockHeight } },
    resolve: async () => {
      const cursor = await context.store.cursor();
      return {
        block: { number: cursor ? Number(cursor.number) : 0, hash: cursor?.hash ?? null, timestamp: cursor?.timestamp !== undefined ? Number(cursor.timestamp) : null },
        deployment: context.deployment,
        hasIndexingErrors: context.hasIndexingErrors(),
      };
    },
  };
}

/**
 * A graph-node-compatible GraphQL schema for a subgraph's entity types: `foo(id, block)` and
 * `foos(skip, first, orderBy, orderDirection, where, block)` per type, `_meta`, and the same
 * collection fields as subscriptions that push a fresh result whenever a block changes the type.
 */
export function buildSubgraphSchema(store: EntityStore, deployment: string, hasIndexingErrors: () => boolean = () => false): GraphQLSchema {
  const context: SubgraphQueryContext = { store, deployment, hasIndexingErrors };
  const queryFields: GraphQLFieldConfigMap<unknown, unknown> = {};
  const subscriptionFields: GraphQLFieldConfigMap<unknown, unknown> = {};
  for (const type of store.schema.entityTypes.values()) addEntityTypeFields(context, type, queryFields, subscriptionFields);
  queryFields._meta = metaField(context);
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
