import { Kind, parse, type ConstDirectiveNode, type TypeNode } from 'graphql';
import type { EntityData, EntityFieldInfo, EntityTypeInfo, StoreValue } from './types';

/** The entity types of a subgraph schema, and the checks graph-node makes on store.set. */
export interface SubgraphSchema {
  sdl: string;
  entityTypes: Map<string, EntityTypeInfo>;
  enums: Set<string>;
}

function unwrap(type: TypeNode): { type: string; nonNull: boolean; list: boolean } {
  let node = type;
  let nonNull = false;
  if (node.kind === Kind.NON_NULL_TYPE) {
    nonNull = true;
    node = node.type;
  }
  let list = false;
  if (node.kind === Kind.LIST_TYPE) {
    list = true;
    node = node.type;
    if (node.kind === Kind.NON_NULL_TYPE) node = node.type;
  }
  if (node.kind !== Kind.NAMED_TYPE) throw new Error('nested lists are not supported in entity fields');
  return { type: node.name.value, nonNull, list };
}

function directive(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode | undefined {
  return directives?.find((d) => d.name.value === name);
}

export function parseSchema(sdl: string): SubgraphSchema {
  const document = parse(sdl);
  const entityTypes = new Map<string, EntityTypeInfo>();
  const enums = new Set<string>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION) enums.add(definition.name.value);
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const entity = directive(definition.directives, 'entity');
    if (!entity) continue;
    const immutableArg = entity.arguments?.find((a) => a.name.value === 'immutable');
    const fields = new Map<string, EntityFieldInfo>();
    for (const field of definition.fields ?? []) {
      const derived = directive(field.directives, 'derivedFrom') !== undefined;
      fields.set(field.name.value, { name: field.name.value, ...unwrap(field.type), derived });
    }
    entityTypes.set(definition.name.value, {
      name: definition.name.value,
      immutable: immutableArg?.value.kind === Kind.BOOLEAN && immutableArg.value.value,
      fields,
    });
  }
  return { sdl, entityTypes, enums };
}

const SCALAR_KINDS: Record<string, ReadonlyArray<StoreValue['kind']>> = {
  ID: ['String', 'Bytes'],
  String: ['String'],
  Bytes: ['Bytes'],
  BigInt: ['BigInt'],
  BigDecimal: ['BigDecimal'],
  Boolean: ['Bool'],
  Int: ['Int'],
  Int8: ['Int8', 'Int'],
  Timestamp: ['Timestamp', 'Int8'],
};

function kindsFor(schema: SubgraphSchema, type: string): ReadonlyArray<StoreValue['kind']> {
  if (SCALAR_KINDS[type]) return SCALAR_KINDS[type];
  if (schema.enums.has(type)) return ['String'];
  const referenced = schema.entityTypes.get(type);
  if (referenced) return kindsFor(schema, referenced.fields.get('id')?.type ?? 'ID');
  throw new Error(`unknown type ${type} in the schema`);
}

function conforms(schema: SubgraphSchema, field: EntityFieldInfo, value: StoreValue): boolean {
  if (value.kind === 'Null') return !field.nonNull;
  if (field.list) {
    return value.kind === 'Array' && value.value.every((item) => item.kind !== 'Null' && kindsFor(schema, field.type).includes(item.kind));
  }
  return kindsFor(schema, field.type).includes(value.kind);
}

/**
 * Throws, with graph-node's kind of message, when data does not fit the entity type: unknown type or
 * field, derived field set, wrong value kind, a non-nullable field missing, or an id that differs
 * from the one passed to store.set.
 */
export function validateEntity(schema: SubgraphSchema, entityType: string, id: string, data: EntityData): void {
  const type = schema.entityTypes.get(entityType);
  if (!type) throw new Error(`entity type ${entityType} is not in the subgraph schema`);
  const where = `Entity ${entityType}[${id}]`;
  for (const [name, value] of data) {
    const field = type.fields.get(name);
    if (!field) throw new Error(`${where}: unknown field \`${name}\``);
    if (field.derived) throw new Error(`${where}: field \`${name}\` is derived and cannot be set`);
    if (!conforms(schema, field, value)) throw new Error(`${where}: field \`${name}\` of type ${field.type} cannot hold a ${value.kind} value`);
  }
  for (const field of type.fields.values()) {
    if (field.nonNull && !field.derived && !data.has(field.name)) throw new Error(`${where}: missing value for non-nullable field \`${field.name}\``);
  }
  const idValue = data.get('id');
  const stored = idValue?.kind === 'String' ? idValue.value : idValue?.kind === 'Bytes' ? `0x${Buffer.from(idValue.value).toString('hex')}` : undefined;
  if (stored !== undefined && stored !== id) throw new Error(`${where}: the id field (${stored}) differs from the id passed to store.set`);
}
