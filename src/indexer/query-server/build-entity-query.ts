import type { ColumnRef, EntityFilter, EntityOrder, EntityQuery, FilterValue, PatternOp } from '../entity-store/entity-query';
import type { ApiEntity, ApiField, ApiModel } from './api-model';
import { EnumValue, errors, isObjectValue, type ArgumentValue } from './query-errors';

/*
 * graph-node's build_query (graphql/src/store/query.rs): `first` in 1..=1000 (GRAPH_GRAPHQL_MAX_FIRST),
 * `skip` up to u32::MAX (GRAPH_GRAPHQL_MAX_SKIP unset), `orderDirection` alone ignored (id ascending),
 * `or` beside column filters refused, filter values decoded by type (Value::from_query_value).
 */

export const MAX_FIRST = 1000;
export const MAX_SKIP = 4_294_967_295;

export interface QueryModel {
  model: ApiModel;
  tableOf: (type: string) => string;
}

export function columnOf(field: ApiField): ColumnRef {
  const type = field.kind === 'scalar' ? field.type : 'String';
  return { column: field.name === 'id' ? 'id' : `f_${field.name}`, type: field.name === 'id' ? 'ID' : type, list: field.list };
}

function buildRange(args: Record<string, ArgumentValue>): { first: number; skip: number } {
  const first = typeof args.first === 'number' ? args.first : 100;
  if (!(first > 0 && first <= MAX_FIRST)) throw errors.range('first', MAX_FIRST, first);
  const skip = typeof args.skip === 'number' ? args.skip : 0;
  if (!(skip >= 0 && skip <= MAX_SKIP)) throw errors.range('skip', MAX_SKIP, skip);
  return { first, skip };
}

/** Bytes::from_str: `0x` prefixes trimmed, then hex (the `hex` crate's messages). */
function decodeBytes(text: string): Uint8Array {
  const hex = text.replace(/^(0x)+/, '');
  if (hex.length % 2 !== 0) throw errors.valueParse('Bytes', 'Odd number of digits');
  const bad = /[^0-9a-fA-F]/.exec(hex);
  if (bad) throw errors.valueParse('Bytes', `Invalid character '${bad[0]}' at position ${bad.index}`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function decodeScalar(type: string, text: string): FilterValue {
  switch (type) {
    case 'Bytes':
      return decodeBytes(text);
    case 'BigInt':
      if (!/^[+-]?\d+$/.test(text)) throw errors.valueParse('BigInt', text === '' ? 'cannot parse integer from empty string' : 'invalid digit found in string');
      return BigInt(text);
    case 'BigDecimal':
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw errors.valueParse('BigDecimal', text === '' ? 'Failed to parse empty string' : 'invalid digit found in string');
      return { decimal: text };
    case 'Int8':
      if (!/^[+-]?\d+$/.test(text)) throw errors.valueParse('Int8', text);
      return BigInt(text);
    case 'Timestamp':
      if (!/^\d+$/.test(text)) throw errors.valueParse('Timestamp', text);
      return BigInt(text);
    default:
      return text;
  }
}

/** Value::from_query_value for a field: strings decoded by the field's scalar type, enums as strings. */
function storeValue(value: ArgumentValue, field: ApiField): FilterValue {
  if (Array.isArray(value)) return value.map((item) => storeValue(item, field));
  if (value instanceof EnumValue) return value.name;
  if (typeof value === 'string') return field.kind === 'scalar' ? decodeScalar(field.type, value) : value;
  if (typeof value === 'number') return field.kind === 'scalar' && ['BigInt', 'Int8', 'Timestamp'].includes(field.type) ? BigInt(value) : value;
  if (typeof value === 'boolean' || value === null) return value;
  throw errors.attributeType(JSON.stringify(value), field.written);
}

/** sast::parse_field_as_filter, in graph-node's order of suffixes. */
const SUFFIXES = [
  'not', 'gt', 'lt', 'gte', 'lte', 'not_in', 'in', 'not_contains', 'not_contains_nocase', 'contains', 'contains_nocase',
  'not_starts_with', 'not_starts_with_nocase', 'not_ends_with', 'not_ends_with_nocase', 'starts_with', 'starts_with_nocase', 'ends_with', 'ends_with_nocase',
];
function parseFilterKey(key: string): { field: string; op: string } {
  for (const suffix of SUFFIXES) if (key.endsWith(`_${suffix}`)) return { field: key.slice(0, -suffix.length - 1), op: suffix };
  if (key.endsWith('_')) return { field: key.slice(0, -1), op: 'child' };
  return { field: key, op: key === 'and' || key === 'or' ? key : '' };
}

function columnFilter(field: ApiField, op: string, value: ArgumentValue): EntityFilter {
  const column = columnOf(field);
  const decoded = storeValue(value, field);
  if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(decoded)) throw errors.listFilter(`_${op}`);
    return { kind: op, column, values: decoded };
  }
  if (op === '' || op === 'not' || op === 'gt' || op === 'lt' || op === 'gte' || op === 'lte') return { kind: 'compare', op: op === '' ? 'eq' : op, column, value: decoded };
  return { kind: 'pattern', op: op as PatternOp, column, value: decoded };
}

export class FilterBuilder {
  constructor(private readonly query: QueryModel) {}

  /** build_filter_from_object: the entries of one `where` object, ANDed by the caller. */
  fromObject(entity: ApiEntity, object: Record<string, ArgumentValue>): EntityFilter[] {
    if ('or' in object) {
      const columns = Object.keys(object).filter((k) => k !== 'or' && k !== 'and' && k !== '_change_block').map((k) => `'${k}'`);
      if (columns.length > 0) throw errors.orMixedWithColumns(columns);
    }
    return Object.entries(object).map(([key, value]) => this.entry(entity, object, key, value));
  }

  private entry(entity: ApiEntity, object: Record<string, ArgumentValue>, key: string, value: ArgumentValue): EntityFilter {
    if (key === '_change_block') {
      const gte = isObjectValue(value) ? value.number_gte : undefined;
      if (typeof gte !== 'number') throw errors.invalidFilter();
      return { kind: 'changeBlockGte', block: gte };
    }
    const { field: name, op } = parseFilterKey(key);
    // graph-node reads every entry of the object as a list of filters here, not only `and`/`or`.
    if (op === 'and' || op === 'or') return { kind: op, filters: Object.values(object).flatMap((v) => this.list(entity, v)) };
    const field = entity.fields.get(name);
    if (!field) throw errors.entityField(entity.name, name);
    if (op === 'child') return this.child(entity, field, value);
    return columnFilter(field, op, value);
  }

  private list(entity: ApiEntity, value: ArgumentValue): EntityFilter[] {
    if (!Array.isArray(value)) throw errors.invalidFilter();
    return value.map((item) => {
      if (!isObjectValue(item)) throw errors.invalidFilter();
      return { kind: 'and' as const, filters: this.fromObject(entity, item) };
    });
  }

  /** `field_: { … }`: entities whose referenced (or deriving) child matches. */
  private child(entity: ApiEntity, field: ApiField, value: ArgumentValue): EntityFilter {
    const childEntity = this.query.model.entities.get(field.type);
    if (!childEntity || !isObjectValue(value)) throw errors.invalidFilter();
    const filter: EntityFilter = { kind: 'and', filters: this.fromObject(childEntity, value) };
    const table = this.query.tableOf(childEntity.name);
    if (field.derivedFrom !== undefined) {
      const back = childEntity.fields.get(field.derivedFrom)!;
      if (back.list) throw errors.notSupported(`child filter \`${field.name}_\` through the list field \`${childEntity.name}.${back.name}\``);
      return { kind: 'child', table, column: { column: 'id', type: 'ID', list: false }, childColumn: columnOf(back).column, filter };
    }
    if (field.list) throw errors.notSupported(`child filter \`${field.name}_\` on a list of entities`);
    return { kind: 'child', table, column: columnOf(field), childColumn: 'id', filter };
  }
}

function buildOrder(query: QueryModel, entity: ApiEntity, args: Record<string, ArgumentValue>): EntityOrder {
  const direction = args.orderDirection instanceof EnumValue && args.orderDirection.name === 'desc' ? 'desc' : 'asc';
  if (!(args.orderBy instanceof EnumValue)) return { kind: 'default' };
  const [parentName, childName] = args.orderBy.name.split('__');
  const field = entity.fields.get(parentName);
  if (!field) throw errors.entityField(entity.name, parentName);
  if (childName === undefined) {
    if (field.list || field.derivedFrom !== undefined) throw errors.orderByNotSupported(entity.name, parentName);
    return { kind: 'column', column: columnOf(field), direction };
  }
  const child = query.model.entities.get(field.type);
  const childField = child?.fields.get(childName);
  if (!child || !childField) throw errors.entityField(child?.name ?? field.type, childName);
  if (field.derivedFrom !== undefined || childField.list) throw errors.orderByNotSupported(child.name, childName);
  return { kind: 'child', table: query.tableOf(child.name), column: columnOf(field), childColumn: columnOf(childField), direction };
}

/** build_query: range, filter (`where` plus what the caller adds) and order of a collection field. */
export function buildEntityQuery(query: QueryModel, entity: ApiEntity, args: Record<string, ArgumentValue>, extra?: EntityFilter): EntityQuery {
  const order = buildOrder(query, entity, args);
  const range = buildRange(args);
  const filters: EntityFilter[] = extra ? [extra] : [];
  if (args.where !== undefined && args.where !== null) {
    if (!isObjectValue(args.where)) throw errors.invalidFilter();
    filters.push({ kind: 'and', filters: new FilterBuilder(query).fromObject(entity, args.where) });
  }
  return { ...range, order, filter: filters.length > 0 ? { kind: 'and', filters } : undefined };
}
