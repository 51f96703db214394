import {
  GraphQLBoolean,
  GraphQLEnumType,
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
  type GraphQLResolveInfo,
} from 'graphql';
import { filter, type Observable } from 'rxjs';
import type { StoreChange } from '../entity-store/entity-store';
import type { ApiEntity, ApiField, ApiModel } from './api-model';
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
      return GraphQLString;
  }
}

/** Filter operators per scalar type (graph/src/schema/api.rs `field_filter_ops`). */
const STRING_OPS = [
  '', 'not', 'gt', 'lt', 'gte', 'lte', 'in', 'not_in', 'contains', 'contains_nocase', 'not_contains', 'not_contains_nocase',
  'starts_with', 'starts_with_nocase', 'not_starts_with', 'not_starts_with_nocase', 'ends_with', 'ends_with_nocase', 'not_ends_with', 'not_ends_with_nocase',
];
const ORDERED_OPS = ['', 'not', 'gt', 'lt', 'gte', 'lte', 'in', 'not_in'];
function filterOps(scalar: string): string[] {
  if (scalar === 'Boolean') return ['', 'not', 'in', 'not_in'];
  if (scalar === 'Bytes') return [...ORDERED_OPS, 'contains', 'not_contains'];
  if (scalar === 'String') return STRING_OPS;
  return ORDERED_OPS;
}

const filterName = (field: string, op: string) => (op === '' ? field : `${field}_${op}`);

/** The schema's types, built once and shared by every field that refers to them. */
class ApiTypes {
  readonly objects = new Map<string, GraphQLObjectType>();
  readonly filters = new Map<string, GraphQLInputObjectType>();
  readonly orderBys = new Map<string, GraphQLEnumType>();
  readonly enums = new Map<string, GraphQLEnumType>();

  constructor(readonly model: ApiModel) {
    for (const [name, values] of model.enums) {
      this.enums.set(name, new GraphQLEnumType({ name, values: Object.fromEntries(values.map((v) => [v, { value: v }])) }));
    }
    for (const entity of model.entities.values()) {
      this.filters.set(entity.name, this.filterType(entity));
      this.orderBys.set(entity.name, this.orderByType(entity));
    }
    for (const entity of model.entities.values()) this.objects.set(entity.name, this.objectType(entity));
  }

  private named(field: ApiField): GraphQLOutputType & GraphQLInputType {
    if (field.kind === 'enum') return this.enums.get(field.type)!;
    return scalarOf(field.type);
  }

  /** Scalar of an entity's id as filters take it (api.rs `id_type_as_scalar`). */
  private idScalar(type: string): GraphQLScalarType {
    return this.model.entities.get(type)!.idType === 'Int8' ? GraphQLInt : GraphQLString;
  }

  private scalarFilters(field: ApiField): GraphQLInputFieldConfigMap {
    const base: GraphQLInputType = field.kind === 'entity' ? this.idScalar(field.type) : this.named(field);
    const ops = field.kind === 'enum' ? ['', 'not', 'in', 'not_in'] : filterOps(field.kind === 'entity' ? base.toString() : field.type);
    return Object.fromEntries(
      ops.map((op) => [filterName(field.name, op), { type: op === 'in' || op === 'not_in' ? new GraphQLList(new GraphQLNonNull(base)) : base }]),
    );
  }

  private listFilters(field: ApiField): GraphQLInputFieldConfigMap {
    if (field.derivedFrom !== undefined) return {};
    const item: GraphQLInputType = field.kind === 'entity' ? this.idScalar(field.type) : this.named(field);
    const nocase = item === GraphQLString;
    const ops = nocase ? ['', 'not', 'contains', 'contains_nocase', 'not_contains', 'not_contains_nocase'] : ['', 'not', 'contains', 'not_contains'];
    return Object.fromEntries(ops.map((op) => [filterName(field.name, op), { type: new GraphQLList(new GraphQLNonNull(item)) }]));
  }

  private fieldFilters(field: ApiField): GraphQLInputFieldConfigMap {
    const filters = field.list ? this.listFilters(field) : field.derivedFrom !== undefined ? {} : this.scalarFilters(field);
    if (field.kind === 'entity') filters[`${field.name}_`] = { type: this.filters.get(field.type) ?? this.lazyFilter(field.type) };
    return filters;
  }

  private lazyFilter(type: string): GraphQLInputObjectType {
    const entity = this.model.entities.get(type)!;
    const filter = this.filterType(entity);
    this.filters.set(type, filter);
    return filter;
  }

  /** `<Type>_filter` (api.rs `filter_type_defn`): every field's operators, child filters, `_change_block`, `and`, `or`. */
  private filterType(entity: ApiEntity): GraphQLInputObjectType {
    const existing = this.filters.get(entity.name);
    if (existing) return existing;
    const type: GraphQLInputObjectType = new GraphQLInputObjectType({
      name: `${entity.name}_filter`,
      fields: () => {
        const fields: GraphQLInputFieldConfigMap = {};
        for (const field of entity.fields.values()) Object.assign(fields, this.fieldFilters(field));
        fields._change_block = { type: BlockChangedFilter };
        fields.and = { type: new GraphQLList(type) };
        fields.or = { type: new GraphQLList(type) };
        return fields;
      },
    });
    this.filters.set(entity.name, type);
    return type;
  }

  /** `<Type>_orderBy` (api.rs `field_enum_values`): every field, and `field__child` for the scalar fields of a referenced entity. */
  private orderByType(entity: ApiEntity): GraphQLEnumType {
    const values: string[] = [];
    for (const field of entity.fields.values()) {
      values.push(field.name);
      if (field.kind !== 'entity' || field.list) continue;
      for (const child of this.model.entities.get(field.type)!.fields.values()) {
        if (!child.list && child.kind !== 'entity') values.push(`${field.name}__${child.name}`);
      }
    }
    return new GraphQLEnumType({ name: `${entity.name}_orderBy`, values: Object.fromEntries(values.map((v) => [v, { value: v }])) });
  }

  collectionArguments(type: string) {
    return {
      skip: { type: GraphQLInt, defaultValue: 0 },
      first: { type: GraphQLInt, defaultValue: 100 },
      orderBy: { type: this.orderBys.get(type)! },
      orderDirection: { type: OrderDirection },
      where: { type: this.filters.get(type)! },
    };
  }

  /** The entity as an object type; list fields of entities take collection arguments (api.rs `add_collection_arguments`). */
  private objectType(entity: ApiEntity): GraphQLObjectType {
    return new GraphQLObjectType({
      name: entity.name,
      fields: () => {
        const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
        for (const field of entity.fields.values()) {
          let type: GraphQLOutputType = field.kind === 'entity' ? this.objects.get(field.type)! : this.named(field);
          if (field.list) type = new GraphQLList(new GraphQLNonNull(type));
          if (field.nonNull) type = new GraphQLNonNull(type);
          const args = field.list && field.kind === 'entity' ? this.collectionArguments(field.type) : undefined;
          fields[field.name] = { type, args, resolve: byResponseKey };
        }
        return fields;
      },
    });
  }
}

/** Objects are produced whole by the executor, keyed by response key (aliases included). */
const byResponseKey = (source: unknown, _args: unknown, _context: unknown, info: { path: { key: string | number } }) =>
  (source as Record<string | number, unknown>)[info.path.key];

/** Runs one subscription field as a query, again after every commit that touched its entity type. */
export type SubscriptionRunner = (info: GraphQLResolveInfo, variables: Record<string, unknown>) => Promise<unknown>;

function addRootFields(
  types: ApiTypes,
  entity: ApiEntity,
  queryFields: GraphQLFieldConfigMap<unknown, unknown>,
  subscriptionFields: GraphQLFieldConfigMap<unknown, unknown>,
  live?: { changes$: Observable<StoreChange>; run: SubscriptionRunner },
): void {
  const object = types.objects.get(entity.name)!;
  const listType = new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(object)));
  const collectionArgs = { ...types.collectionArguments(entity.name), block: { type: BlockHeight }, subgraphError: { type: new GraphQLNonNull(SubgraphErrorPolicy), defaultValue: 'deny' } };
  queryFields[singularField(entity.name)] = {
    type: object,
    args: { id: { type: new GraphQLNonNull(GraphQLID) }, block: { type: BlockHeight }, subgraphError: collectionArgs.subgraphError },
    resolve: byResponseKey,
  };
  queryFields[pluralField(entity.name)] = { type: listType, args: collectionArgs, resolve: byResponseKey };
  if (!live) return;
  subscriptionFields[pluralField(entity.name)] = {
    type: listType,
    args: collectionArgs,
    subscribe: (_root, _args, _context, info) => liveResults(live.changes$, entity.name, () => live.run(info, info.variableValues)),
    resolve: (payload: unknown) => payload,
  };
}

/**
 * graph-node's API schema for a subgraph (graph/src/schema/api.rs): per entity type `foo(id, block,
 * subgraphError)` and `foos(skip, first, orderBy, orderDirection, where, block, subgraphError)`, with
 * Inflector names, `_meta`, enums, references, derived and list fields. Used for introspection and
 * (when `live` is given) for subscriptions; queries run through the graph-node-style executor.
 */
export function buildApiSchema(model: ApiModel, live?: { changes$: Observable<StoreChange>; run: SubscriptionRunner }): GraphQLSchema {
  const types = new ApiTypes(model);
  const queryFields: GraphQLFieldConfigMap<unknown, unknown> = {};
  const subscriptionFields: GraphQLFieldConfigMap<unknown, unknown> = {};
  for (const entity of model.entities.values()) addRootFields(types, entity, queryFields, subscriptionFields, live);
  queryFields._meta = { type: Meta, args: { block: { type: BlockHeight } }, resolve: byResponseKey };
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: queryFields }),
    subscription: live ? new GraphQLObjectType({ name: 'Subscription', fields: subscriptionFields }) : undefined,
  });
}

/**
 * The current result at once, then a fresh one after every commit that touched the type. Bursts of
 * commits while a result is being computed collapse into one recomputation; unchanged results are not
 * pushed again.
 */
function liveResults(changes$: Observable<StoreChange>, typeName: string, run: () => Promise<unknown>): AsyncIterableIterator<unknown> {
  let dirty = true;
  let closed = false;
  let wake: (() => void) | undefined;
  let last: string | undefined;
  const subscription = changes$.pipe(filter((c) => c.entityTypes.has(typeName))).subscribe(() => {
    dirty = true;
    wake?.();
  });
  const close = () => {
    closed = true;
    subscription.unsubscribe();
    wake?.();
  };
  const iterator: AsyncIterableIterator<unknown> = {
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
