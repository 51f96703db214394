import { Kind, parse, type ConstDirectiveNode, type DefinitionNode, type FieldDefinitionNode, type TypeNode } from 'graphql';

/**
 * What the query side needs to know of a subgraph schema: entity types, their fields (scalar, enum or
 * entity reference; list or not; derived from which field) and the enums with their values. Read from
 * the schema text, like graph-node's InputSchema (graph/src/schema/input/mod.rs).
 */

export const SCALARS = new Set(['ID', 'String', 'Int', 'Boolean', 'BigInt', 'BigDecimal', 'Bytes', 'Int8', 'Timestamp']);

export interface ApiField {
  name: string;
  /** Named type: a scalar, an enum or an entity type. */
  type: string;
  kind: 'scalar' | 'enum' | 'entity';
  list: boolean;
  nonNull: boolean;
  /** `@derivedFrom(field:)`: the field of `type` that points back at this entity. */
  derivedFrom?: string;
  /** The GraphQL type as written, e.g. `[Token!]!` (for error messages). */
  written: string;
}

export interface ApiEntity {
  name: string;
  fields: Map<string, ApiField>;
  /** Scalar type of `id`: ID/String, Bytes or Int8. */
  idType: string;
}

export interface ApiModel {
  entities: Map<string, ApiEntity>;
  enums: Map<string, string[]>;
}

/** Thrown at load for a schema the embedded indexer does not serve; the message names the feature. */
export class UnsupportedSubgraphFeature extends Error {
  override readonly name = 'UnsupportedSubgraphFeature';
}

function directive(node: { directives?: readonly ConstDirectiveNode[] }, name: string): ConstDirectiveNode | undefined {
  return node.directives?.find((d) => d.name.value === name);
}

function stringArgument(node: ConstDirectiveNode, name: string): string | undefined {
  const argument = node.arguments?.find((a) => a.name.value === name);
  return argument?.value.kind === Kind.STRING ? argument.value.value : undefined;
}

function written(type: TypeNode): string {
  if (type.kind === Kind.NON_NULL_TYPE) return `${written(type.type)}!`;
  if (type.kind === Kind.LIST_TYPE) return `[${written(type.type)}]`;
  return type.name.value;
}

function unwrap(type: TypeNode): { type: string; list: boolean; nonNull: boolean } {
  let node = type;
  const nonNull = node.kind === Kind.NON_NULL_TYPE;
  if (node.kind === Kind.NON_NULL_TYPE) node = node.type;
  const list = node.kind === Kind.LIST_TYPE;
  if (node.kind === Kind.LIST_TYPE) node = node.type.kind === Kind.NON_NULL_TYPE ? node.type.type : node.type;
  if (node.kind !== Kind.NAMED_TYPE) throw new UnsupportedSubgraphFeature('nested list fields (lists of lists) are not served by the embedded indexer');
  return { type: node.name.value, list, nonNull };
}

/** The first feature of the schema that the embedded indexer does not serve, as one line, or undefined. */
function unsupportedDefinition(definition: DefinitionNode): string | undefined {
  switch (definition.kind) {
    case Kind.INTERFACE_TYPE_DEFINITION:
      return `interface ${definition.name.value}: interfaces are not served by the embedded indexer`;
    case Kind.UNION_TYPE_DEFINITION:
      return `union ${definition.name.value}: unions are not served by the embedded indexer`;
    case Kind.OBJECT_TYPE_DEFINITION: {
      if (directive(definition, 'aggregation')) return `@aggregation on ${definition.name.value}: aggregations are not served by the embedded indexer`;
      if (definition.name.value === '_Schema_' && directive(definition, 'fulltext')) return '@fulltext on _Schema_: full-text search is not served by the embedded indexer';
      const entity = directive(definition, 'entity');
      const timeseries = entity?.arguments?.find((a) => a.name.value === 'timeseries');
      if (timeseries?.value.kind === Kind.BOOLEAN && timeseries.value.value) return `@entity(timeseries: true) on ${definition.name.value}: timeseries are not served by the embedded indexer`;
      if (entity && (definition.interfaces?.length ?? 0) > 0) return `${definition.name.value} implements an interface: interfaces are not served by the embedded indexer`;
      return undefined;
    }
    default:
      return undefined;
  }
}

function fieldOf(definition: FieldDefinitionNode, entityNames: Set<string>, enums: Map<string, string[]>, owner: string): ApiField {
  const shape = unwrap(definition.type);
  const kind = SCALARS.has(shape.type) ? 'scalar' : enums.has(shape.type) ? 'enum' : entityNames.has(shape.type) ? 'entity' : undefined;
  if (!kind) throw new UnsupportedSubgraphFeature(`${owner}.${definition.name.value}: type ${shape.type} is neither a scalar, an enum nor an entity type`);
  const derived = directive(definition, 'derivedFrom');
  const derivedFrom = derived ? stringArgument(derived, 'field') : undefined;
  return { name: definition.name.value, ...shape, kind, derivedFrom, written: written(definition.type) };
}

/** Parses a subgraph schema into the query model; throws UnsupportedSubgraphFeature naming what is not served. */
export function apiModel(sdl: string): ApiModel {
  const document = parse(sdl);
  const enums = new Map<string, string[]>();
  const entityNames = new Set<string>();
  for (const definition of document.definitions) {
    const refused = unsupportedDefinition(definition);
    if (refused) throw new UnsupportedSubgraphFeature(refused);
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION) enums.set(definition.name.value, (definition.values ?? []).map((v) => v.name.value));
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION && directive(definition, 'entity')) entityNames.add(definition.name.value);
  }
  const entities = new Map<string, ApiEntity>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION || !entityNames.has(definition.name.value)) continue;
    const fields = new Map<string, ApiField>();
    for (const field of definition.fields ?? []) fields.set(field.name.value, fieldOf(field, entityNames, enums, definition.name.value));
    const id = fields.get('id');
    if (!id) throw new UnsupportedSubgraphFeature(`${definition.name.value} has no id field`);
    entities.set(definition.name.value, { name: definition.name.value, fields, idType: id.type === 'ID' ? 'String' : id.type });
  }
  checkDerivedFields(entities);
  return { entities, enums };
}

function checkDerivedFields(entities: Map<string, ApiEntity>): void {
  for (const entity of entities.values()) {
    for (const field of entity.fields.values()) {
      if (field.derivedFrom === undefined) continue;
      const target = entities.get(field.type)?.fields.get(field.derivedFrom);
      if (field.kind !== 'entity' || !target) throw new UnsupportedSubgraphFeature(`${entity.name}.${field.name}: @derivedFrom(field: "${field.derivedFrom}") names no field of ${field.type}`);
    }
  }
}
