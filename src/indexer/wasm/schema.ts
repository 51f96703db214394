// The parser alone, not the whole graphql package: mapping workers load this file (host-imports) at start-up.
import type { ConstDirectiveNode, TypeNode } from 'graphql';
import { Kind } from 'graphql/language/kinds';
import { parse } from 'graphql/language/parser';
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

/** What store.set checks for one entity type, worked out once per schema (store.set runs per entity). */
interface TypeRules {
  /**
   * Per field, the value kinds it takes (for a list field, its items'); undefined for derived fields,
   * the error for a type the schema does not define (thrown when a value is set there).
   */
  fields: Map<string, { field: EntityFieldInfo; kinds: ReadonlySet<StoreValue['kind']> | Error | undefined }>;
  required: EntityFieldInfo[];
}

const rulesBySchema = new WeakMap<SubgraphSchema, Map<string, TypeRules>>();

function rulesOf(schema: SubgraphSchema, type: EntityTypeInfo): TypeRules {
  let byType = rulesBySchema.get(schema);
  if (!byType) rulesBySchema.set(schema, (byType = new Map()));
  let rules = byType.get(type.name);
  if (rules) return rules;
  rules = { fields: new Map(), required: [...type.fields.values()].filter((field) => field.nonNull && !field.derived) };
  for (const field of type.fields.values()) rules.fields.set(field.name, { field, kinds: field.derived ? undefined : kindsOrError(schema, field.type) });
  byType.set(type.name, rules);
  return rules;
}

function kindsOrError(schema: SubgraphSchema, type: string): ReadonlySet<StoreValue['kind']> | Error {
  try {
    return new Set(kindsFor(schema, type));
  } catch (error) {
    return error as Error;
  }
}

function conforms(field: EntityFieldInfo, kinds: ReadonlySet<StoreValue['kind']> | Error, value: StoreValue): boolean {
  if (value.kind === 'Null') return !field.nonNull;
  if (kinds instanceof Error) throw kinds;
  if (field.list) return value.kind === 'Array' && value.value.every((item) => item.kind !== 'Null' && kinds.has(item.kind));
  return kinds.has(value.kind);
}

/**
 * Throws, with graph-node's kind of message, when data does not fit the entity type: unknown type or
 * field, derived field set, wrong value kind, a non-nullable field missing, or an id that differs
 * from the one passed to store.set.
 */
export function validateEntity(schema: SubgraphSchema, entityType: string, id: string, data: EntityData): void {
  const type = schema.entityTypes.get(entityType);
  if (!type) throw new Error(`entity type ${entityType} is not in the subgraph schema`);
  const rules = rulesOf(schema, type);
  const where = () => `Entity ${entityType}[${id}]`;
  for (const [name, value] of data) {
    const rule = rules.fields.get(name);
    if (!rule) throw new Error(`${where()}: unknown field \`${name}\``);
    if (!rule.kinds) throw new Error(`${where()}: field \`${name}\` is derived and cannot be set`);
    if (!conforms(rule.field, rule.kinds, value)) throw new Error(`${where()}: field \`${name}\` of type ${rule.field.type} cannot hold a ${value.kind} value`);
  }
  for (const field of rules.required) {
    if (!data.has(field.name)) throw new Error(`${where()}: missing value for non-nullable field \`${field.name}\``);
  }
  const idValue = data.get('id');
  const stored = idValue?.kind === 'String' ? idValue.value : idValue?.kind === 'Bytes' ? `0x${Buffer.from(idValue.value).toString('hex')}` : undefined;
  if (stored !== undefined && stored !== id) throw new Error(`${where()}: the id field (${stored}) differs from the id passed to store.set`);
}
