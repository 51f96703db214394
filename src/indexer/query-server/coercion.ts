import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  Kind,
  type GraphQLInputType,
  type ValueNode,
} from 'graphql';
import { EnumValue, errors, isObjectValue, type ArgumentValue } from './query-errors';

/*
 * graph-node's value coercion (graphql/src/values/coercion.rs), not graphql-js's: enums accept strings,
 * BigInt and ID accept integers, lists do not wrap single values, and an input object with an unknown
 * field fails as a whole (the caller reports the argument). No other validation happens beforehand.
 */

/** The value could not be coerced; `value` is what failed (the whole input object for a bad field). */
export class CoercionFailure {
  constructor(readonly value: ArgumentValue) {}
}

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

function coerceScalar(type: GraphQLScalarType, value: ArgumentValue): ArgumentValue {
  const integer = typeof value === 'number' && Number.isInteger(value);
  switch (type.name) {
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'BigDecimal':
      if (typeof value === 'number' || typeof value === 'string') return String(value);
      break;
    case 'Int':
      if (integer && (value as number) >= I32_MIN && (value as number) <= I32_MAX) return value;
      break;
    case 'Int8':
      if (integer) return value;
      break;
    case 'ID':
    case 'BigInt':
      if (typeof value === 'string') return value;
      if (integer) return String(value);
      break;
    case 'Timestamp':
    case 'String':
    case 'Bytes':
      if (typeof value === 'string') return value;
      break;
    case 'Float':
      if (typeof value === 'number') return value;
      break;
  }
  throw new CoercionFailure(value);
}

function coerceInputObject(type: GraphQLInputObjectType, value: ArgumentValue): ArgumentValue {
  if (!isObjectValue(value)) throw new CoercionFailure(value);
  const fields = type.getFields();
  const coerced: Record<string, ArgumentValue> = {};
  for (const [name, fieldValue] of Object.entries(value)) {
    const field = fields[name];
    if (!field) throw new CoercionFailure(value);
    try {
      coerced[name] = coerceValue(fieldValue, field.type);
    } catch (error) {
      if (error instanceof CoercionFailure) throw new CoercionFailure(value);
      throw error;
    }
  }
  return coerced;
}

/** coerce_value: the value for `type`, or a CoercionFailure. */
export function coerceValue(value: ArgumentValue, type: GraphQLInputType): ArgumentValue {
  if (type instanceof GraphQLNonNull) {
    if (value === null) throw new CoercionFailure(null);
    return coerceValue(value, type.ofType);
  }
  if (value === null) return null;
  if (type instanceof GraphQLList) {
    if (!Array.isArray(value)) throw new CoercionFailure(value);
    return value.map((item) => coerceValue(item, type.ofType));
  }
  if (type instanceof GraphQLEnumType) {
    const name = value instanceof EnumValue ? value.name : typeof value === 'string' ? value : undefined;
    if (name !== undefined && type.getValue(name)) return new EnumValue(name);
    throw new CoercionFailure(value);
  }
  if (type instanceof GraphQLScalarType) return coerceScalar(type, value);
  return coerceInputObject(type, value);
}

/** coerce_input_value for one argument: default when absent, "No value provided" when required. */
export function coerceArgument(name: string, value: ArgumentValue | undefined, type: GraphQLInputType, defaultValue: ArgumentValue | undefined): ArgumentValue | undefined {
  const given = value ?? defaultValue;
  if (given === undefined) {
    if (type instanceof GraphQLNonNull) throw errors.missingArgument(name);
    return undefined;
  }
  try {
    return coerceValue(given, type);
  } catch (error) {
    if (error instanceof CoercionFailure) throw errors.invalidArgument(name, error.value);
    throw error;
  }
}

/** A JSON value (variables) as an argument value: objects and arrays recursively, numbers as they are. */
export function fromJson(value: unknown): ArgumentValue {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(fromJson);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fromJson(v)]));
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  return String(value);
}

/** A literal of the document with its variables put in; an undefined variable is null (graph-node). */
export function fromAst(node: ValueNode, variables: Map<string, ArgumentValue>): ArgumentValue {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables.get(node.name.value) ?? null;
    case Kind.INT:
      return Number(node.value);
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.STRING:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.ENUM:
      return new EnumValue(node.value);
    case Kind.LIST:
      return node.values.map((v) => fromAst(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, fromAst(f.value, variables)]));
  }
}
