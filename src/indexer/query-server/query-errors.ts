import { Kind, print, type ValueNode } from 'graphql';

/** Where in the document an error points, as graph-node serializes it. */
export interface QueryLocation {
  line: number;
  column: number;
}

/**
 * One of graph-node's QueryExecutionError variants, with its message text
 * (graph/src/data/query/error.rs, `impl Display for QueryExecutionError`). A query that raises any of
 * them answers `{"errors": [...]}` with no `data` key.
 */
export class QueryExecutionError extends Error {
  override readonly name = 'QueryExecutionError';
  constructor(
    message: string,
    readonly location?: QueryLocation,
  ) {
    super(message);
  }
}

/** An enum value (graph-node's `r::Value::Enum`): kept apart from strings, which enums also accept. */
export class EnumValue {
  constructor(readonly name: string) {}
}

/** A resolved argument value, as graph-node's `r::Value`. */
export type ArgumentValue = null | boolean | number | string | EnumValue | ArgumentValue[] | { [key: string]: ArgumentValue };

export function isObjectValue(value: ArgumentValue): value is { [key: string]: ArgumentValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof EnumValue);
}

/** A value written back as GraphQL text, for error messages (graph-node prints Rust's Debug form). */
export function describeValue(value: ArgumentValue): string {
  if (value === null) return 'null';
  if (value instanceof EnumValue) return value.name;
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (isObjectValue(value)) return `{${Object.entries(value).map(([k, v]) => `${k}: ${describeValue(v)}`).join(', ')}}`;
  return JSON.stringify(value);
}

export function describeNode(node: ValueNode): string {
  return node.kind === Kind.VARIABLE ? `$${node.name.value}` : print(node);
}

export const errors = {
  operationNameRequired: () => new QueryExecutionError('Operation name required'),
  notSupported: (what: string) => new QueryExecutionError(`Not supported: ${what}`),
  unknownField: (type: string, field: string, location?: QueryLocation) => new QueryExecutionError(`Type \`${type}\` has no field \`${field}\``, location),
  invalidArgument: (name: string, value: ArgumentValue, location?: QueryLocation) =>
    new QueryExecutionError(`Invalid value provided for argument \`${name}\`: ${describeValue(value)}`, location),
  missingArgument: (name: string, location?: QueryLocation) => new QueryExecutionError(`No value provided for required argument: \`${name}\``, location),
  variableNotInput: (name: string, location?: QueryLocation) => new QueryExecutionError(`Variable \`${name}\` must have an input type`, location),
  missingVariable: (name: string, location?: QueryLocation) => new QueryExecutionError(`No value provided for required variable \`${name}\``, location),
  range: (argument: 'first' | 'skip', max: number, actual: number) =>
    new QueryExecutionError(`The \`${argument}\` argument must be between 0 and ${max}, but is ${actual}`),
  valueParse: (type: string, detail: string) => new QueryExecutionError(`Failed to decode \`${type}\` value: \`${detail}\``),
  entityField: (type: string, field: string) => new QueryExecutionError(`Entity \`${type}\` has no attribute \`${field}\``),
  orderByNotSupported: (type: string, field: string) => new QueryExecutionError(`Ordering by \`${field}\` is not supported for type \`${type}\``),
  invalidFilter: () => new QueryExecutionError('Filter must by an object'),
  listFilter: (filter: string) => new QueryExecutionError(`Non-list value passed to \`${filter}\` filter`),
  orMixedWithColumns: (columns: string[]) => {
    const list = columns.join(', ');
    return new QueryExecutionError(
      `Cannot mix column filters with 'or' operator at the same level. Found column filter(s) ${list} alongside 'or' operator.\n\n` +
        `Instead of:\nwhere: { ${list}, or: [...] }\n\nUse:\nwhere: { or: [{ ${list}, ... }, { ${list}, ... }] }`,
    );
  },
  deploymentNotFound: (idOrName: string) => new QueryExecutionError(`deployment \`${idOrName}\` does not exist`),
  undefinedFragment: (name: string) => new QueryExecutionError(`fragment \`${name}\` is not defined`),
  namedType: (name: string) => new QueryExecutionError(`Failed to resolve named type \`${name}\``),
  notStarted: (deployment: string) => new QueryExecutionError(`Store error: Subgraph \`${deployment}\` has not started syncing yet. Wait for it to ingest a few blocks before querying it`),
  attributeType: (value: string, type: string) => new QueryExecutionError(`Query contains value with invalid type \`${type}\`: \`${value}\``),
  indexingError: () => new QueryExecutionError('indexing_error'),
};
