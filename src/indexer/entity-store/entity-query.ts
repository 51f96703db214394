import type { Knex } from 'knex';
import { encodeBigInt } from './column-codec';

/**
 * A query for the read path, as graph-node's EntityQuery (graph/src/components/store): values are
 * already decoded (Bytes as bytes, BigInt as bigint), so the SQL compares them as graph-node's
 * relational queries do (store/postgres/src/relational_queries.rs): Bytes `_contains` on whole bytes,
 * BigDecimal as numbers, String patterns unescaped (`%` and `_` are wildcards there too).
 */

export type FilterValue = string | number | boolean | bigint | Uint8Array | { decimal: string } | null | FilterValue[];

export type ComparisonOp = 'eq' | 'not' | 'gt' | 'lt' | 'gte' | 'lte';
export type PatternOp =
  | 'contains' | 'not_contains' | 'contains_nocase' | 'not_contains_nocase'
  | 'starts_with' | 'not_starts_with' | 'starts_with_nocase' | 'not_starts_with_nocase'
  | 'ends_with' | 'not_ends_with' | 'ends_with_nocase' | 'not_ends_with_nocase';

/** How a column is read: its SQL name and the field's scalar type (`id` for the id column). */
export interface ColumnRef {
  column: string;
  type: string;
  list: boolean;
}

export type EntityFilter =
  | { kind: 'and' | 'or'; filters: EntityFilter[] }
  | { kind: 'changeBlockGte'; block: number }
  | { kind: 'compare'; op: ComparisonOp; column: ColumnRef; value: FilterValue }
  | { kind: 'in' | 'not_in'; column: ColumnRef; values: FilterValue[] }
  | { kind: 'pattern'; op: PatternOp; column: ColumnRef; value: FilterValue }
  /** Entities whose `column` holds the id of a child matching `filter` (or, derived, children whose `column` holds this id). */
  | { kind: 'child'; table: string; column: ColumnRef; childColumn: string; filter: EntityFilter };

export type EntityOrder =
  | { kind: 'default' }
  | { kind: 'column'; column: ColumnRef; direction: 'asc' | 'desc' }
  /** Ordered by a column of the entity referenced by `column` (`field__child`). */
  | { kind: 'child'; table: string; column: ColumnRef; childColumn: ColumnRef; direction: 'asc' | 'desc' };

export interface EntityQuery {
  filter?: EntityFilter;
  order: EntityOrder;
  first: number;
  skip: number;
}

/** A value as stored in its column (see column-codec). */
export function columnValue(value: FilterValue): string | number | null {
  if (value === null) return null;
  if (typeof value === 'bigint') return encodeBigInt(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return JSON.stringify(value.map(jsonItem));
  if (typeof value === 'object') return value.decimal;
  return value;
}

/** A list item as it is written in a list column's JSON. */
function jsonItem(value: FilterValue): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value.decimal;
  return value;
}

export class SqlDialect {
  readonly postgres: boolean;
  constructor(private readonly knex: Knex) {
    this.postgres = /^(pg|postgres)/.test(String(knex.client.config.client));
  }

  /** The column as compared: BigDecimal as a number (exact on PostgreSQL; SQLite compares doubles). */
  expression(ref: ColumnRef, table?: string): Knex.Raw {
    const column = table ? `${table}.${ref.column}` : ref.column;
    if (ref.type === 'BigDecimal' && !ref.list) return this.knex.raw(this.postgres ? 'CAST(?? AS numeric)' : 'CAST(?? AS REAL)', [column]);
    return this.knex.raw('??', [column]);
  }

  comparable(ref: ColumnRef, value: FilterValue): Knex.Raw {
    const stored = columnValue(value);
    if (ref.type === 'BigDecimal' && !ref.list) return this.knex.raw(this.postgres ? 'CAST(? AS numeric)' : 'CAST(? AS REAL)', [stored]);
    return this.knex.raw('?', [stored]);
  }

  /** Bytes `_contains`: the needle's bytes appear in the column's bytes (graph-node: `position(b in col) > 0`). */
  bytesContains(ref: ColumnRef, needle: Uint8Array, negated: boolean): Knex.Raw {
    const hex = Buffer.from(needle).toString('hex');
    const sql = this.postgres ? `position(decode(?, 'hex') in decode(substr(??, 3), 'hex'))` : 'instr(unhex(substr(??, 3)), unhex(?))';
    const bindings = this.postgres ? [hex, ref.column] : [ref.column, hex];
    return this.knex.raw(`${sql} ${negated ? '= 0' : '> 0'}`, bindings);
  }

  /** A list column holds every item (`_contains`) or none of them (`_not_contains`). */
  listContains(ref: ColumnRef, items: FilterValue[], negated: boolean, nocase: boolean): Knex.Raw {
    const elements = this.postgres ? 'jsonb_array_elements_text(??::jsonb)' : 'json_each(??)';
    const element = this.postgres ? 'e' : 'value';
    const alias = this.postgres ? ' AS e' : '';
    const compare = nocase ? `lower(${element}) = lower(?)` : `${element} = ?`;
    const values = items.map((item) => {
      const json = jsonItem(item);
      return this.postgres ? String(json) : (json as string | number | boolean | null);
    });
    if (negated) {
      if (values.length === 0) return this.knex.raw('1 = 1');
      const any = values.map(() => compare).join(' OR ');
      return this.knex.raw(`NOT EXISTS (SELECT 1 FROM ${elements}${alias} WHERE ${any})`, [ref.column, ...values]);
    }
    if (values.length === 0) return this.knex.raw('1 = 1');
    const all = values.map(() => `EXISTS (SELECT 1 FROM ${elements}${alias} WHERE ${compare})`).join(' AND ');
    return this.knex.raw(all, values.flatMap((v) => [ref.column, v]));
  }
}

function likePattern(op: PatternOp, value: string): string {
  if (op.includes('starts_with')) return `${value}%`;
  if (op.includes('ends_with')) return `%${value}`;
  return value.startsWith('%') || value.endsWith('%') ? value : `%${value}%`;
}

function applyPattern(query: Knex.QueryBuilder, dialect: SqlDialect, knex: Knex, filter: Extract<EntityFilter, { kind: 'pattern' }>): void {
  const negated = filter.op.startsWith('not_');
  const nocase = filter.op.endsWith('_nocase');
  if (filter.column.list) {
    query.where(dialect.listContains(filter.column, filter.value as FilterValue[], negated, nocase));
  } else if (filter.value instanceof Uint8Array) {
    query.where(dialect.bytesContains(filter.column, filter.value, negated));
  } else {
    const pattern = likePattern(filter.op, String(filter.value));
    const sql = nocase ? `lower(??) ${negated ? 'NOT LIKE' : 'LIKE'} lower(?)` : `?? ${negated ? 'NOT LIKE' : 'LIKE'} ?`;
    query.where(knex.raw(sql, [filter.column.column, pattern]));
  }
}

const SQL_OPS: Record<ComparisonOp, string> = { eq: '=', not: '<>', gt: '>', lt: '<', gte: '>=', lte: '<=' };

function applyCompare(query: Knex.QueryBuilder, dialect: SqlDialect, knex: Knex, filter: Extract<EntityFilter, { kind: 'compare' }>): void {
  if (filter.value === null) {
    if (filter.op === 'eq') query.whereNull(filter.column.column);
    else if (filter.op === 'not') query.whereNotNull(filter.column.column);
    else query.whereRaw('1 = 0');
    return;
  }
  query.where(knex.raw(`? ${SQL_OPS[filter.op]} ?`, [dialect.expression(filter.column), dialect.comparable(filter.column, filter.value)]));
}

/** Adds `filter` to `query`; `alive` restricts a child table to the versions alive at the query's block. */
export function applyFilter(
  query: Knex.QueryBuilder,
  filter: EntityFilter,
  context: { knex: Knex; dialect: SqlDialect; alive: (q: Knex.QueryBuilder) => Knex.QueryBuilder },
): void {
  const { knex, dialect } = context;
  switch (filter.kind) {
    case 'and':
      for (const part of filter.filters) query.andWhere((inner) => applyFilter(inner, part, context));
      return;
    case 'or':
      if (filter.filters.length === 0) return;
      query.andWhere((outer) => {
        for (const part of filter.filters) outer.orWhere((inner) => applyFilter(inner, part, context));
      });
      return;
    case 'changeBlockGte':
      query.where('block_from', '>=', filter.block);
      return;
    case 'compare':
      applyCompare(query, dialect, knex, filter);
      return;
    case 'in':
    case 'not_in': {
      if (filter.values.length === 0) {
        query.whereRaw(filter.kind === 'in' ? '1 = 0' : '1 = 1');
        return;
      }
      const values = filter.values.map((v) => dialect.comparable(filter.column, v));
      const list = values.map(() => '?').join(', ');
      query.where(knex.raw(`? ${filter.kind === 'in' ? 'IN' : 'NOT IN'} (${list})`, [dialect.expression(filter.column), ...values]));
      return;
    }
    case 'pattern':
      applyPattern(query, dialect, knex, filter);
      return;
    case 'child': {
      const children = context.alive(knex(filter.table)).select(filter.childColumn);
      applyFilter(children, filter.filter, context);
      query.whereIn(filter.column.column, children);
      return;
    }
  }
}
