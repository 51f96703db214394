import type { EntityData, EntityFieldInfo, EntityTypeInfo, StoreValue } from '../wasm/types';

/**
 * How entity values live in SQL columns so that filters and ordering work in the database, exactly:
 * BigInt/Int8/Timestamp as order-preserving fixed-width text (sign letter + 80 digits, negatives
 * complemented), Bytes as lowercase 0x-hex, Boolean as 0/1, lists as JSON text.
 */

const WIDTH = 80;
const OFFSET = 10n ** BigInt(WIDTH);

export function encodeBigInt(value: bigint): string {
  if (value >= 0n) return `p${value.toString().padStart(WIDTH, '0')}`;
  return `n${(OFFSET + value).toString().padStart(WIDTH, '0')}`;
}

export function decodeBigInt(text: string): bigint {
  const digits = BigInt(text.slice(1));
  return text[0] === 'p' ? digits : digits - OFFSET;
}

const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString('hex')}`;

/** Numeric-like scalar types stored with the order-preserving encoding. */
export const BIG_TYPES = new Set(['BigInt', 'Int8', 'Timestamp']);

function scalarToJson(value: StoreValue): unknown {
  switch (value.kind) {
    case 'Bytes':
      return hex(value.value);
    case 'BigInt':
    case 'Int8':
    case 'Timestamp':
      return value.value.toString();
    case 'Array':
      return value.value.map(scalarToJson);
    case 'Null':
      return null;
    default:
      return value.value;
  }
}

/** A store value as its column value. */
export function toColumn(field: EntityFieldInfo, value: StoreValue | undefined): string | number | null {
  if (!value || value.kind === 'Null') return null;
  if (field.list) return JSON.stringify(scalarToJson(value));
  switch (value.kind) {
    case 'Bytes':
      return hex(value.value);
    case 'BigInt':
    case 'Int8':
    case 'Timestamp':
      return encodeBigInt(value.value);
    case 'Bool':
      return value.value ? 1 : 0;
    case 'Int':
      return value.value;
    case 'String':
      return value.kind === 'String' && (field.type === 'Bytes' || field.type === 'ID') ? value.value : value.value;
    case 'BigDecimal':
      return value.value;
    default:
      return JSON.stringify(scalarToJson(value));
  }
}

/** One column's value as the database gets it. */
export type ColumnValue = string | number | null;

/**
 * An entity's values already in column form, in `storedFields` order (what a mapping worker sends:
 * flat strings and numbers cross threads far cheaper than maps of values and byte arrays).
 */
export type EntityColumns = readonly ColumnValue[];

/** The fields of a type that have a column of their own (`id` and derived fields do not), in column order. */
export function storedFields(type: EntityTypeInfo): EntityFieldInfo[] {
  return [...type.fields.values()].filter((f) => !f.derived && f.name !== 'id');
}

/** An entity's column values, for `fields` (its type's storedFields); already-encoded columns as they are. */
export function entityColumns(fields: readonly EntityFieldInfo[], data: EntityData | EntityColumns): EntityColumns {
  if (!(data instanceof Map)) return data;
  return fields.map((field) => toColumn(field, data.get(field.name)));
}

/** A column value as graph-node's JSON for the field (BigInt as decimal strings, Bytes as hex). */
export function fromColumn(field: EntityFieldInfo, column: unknown): unknown {
  if (column === null || column === undefined) return null;
  if (field.list) return JSON.parse(String(column));
  if (BIG_TYPES.has(field.type)) return decodeBigInt(String(column)).toString();
  if (field.type === 'Boolean') return Number(column) === 1;
  if (field.type === 'Int') return Number(column);
  return column;
}

/** A GraphQL filter argument as its column value (for comparisons in SQL). */
export function filterValueToColumn(field: EntityFieldInfo, value: unknown): string | number {
  if (BIG_TYPES.has(field.type)) return encodeBigInt(BigInt(String(value)));
  if (field.type === 'Boolean') return value ? 1 : 0;
  if (field.type === 'Int') return Number(value);
  if (field.type === 'Bytes') return String(value).toLowerCase();
  return String(value);
}
