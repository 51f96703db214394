import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { StreamedEntityType } from '../../src/streams/documents';
import type { StreamedEntity } from '../../src/streams/entity-stream';
import { decodeEntity, entityFieldKinds, type FieldKind } from '../../src/streams/entities';
import { packageRoot } from '../../src/util/package-root';

/**
 * The decoders of src/streams/entities.ts mirror graphql/subgraph/<Type>.graphql: a field selected and
 * not decoded is fetched for nothing (or meant to be used and forgotten), a field decoded and not
 * selected fails every entity at run time. Both ways fail here.
 */

const DOCUMENTS_DIR = join(packageRoot(), 'graphql', 'subgraph');
const types = readdirSync(DOCUMENTS_DIR)
  .filter((file) => file.endsWith('.graphql') && file !== 'meta.graphql')
  .map((file) => file.replace(/\.graphql$/, '') as StreamedEntityType);

/** Field names a selection set asks for, fragment spreads and inline fragments expanded (no __typename). */
function selectedFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === '__typename' ? [] : [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return selectedFields(selection.selectionSet, fragments);
    const fragment = fragments.get(selection.name.value);
    if (!fragment) throw new Error(`fragment ${selection.name.value} is not defined`);
    return selectedFields(fragment.selectionSet, fragments);
  });
}

/** The fields of the entities an operation (`<Type>Page` or `<Type>Live`) reads: its one root field's selection. */
function operationFields(document: DocumentNode, name: string): string[] {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) throw new Error(`operation ${name} is missing`);
  const roots = operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
  expect(roots, `${name} has one root field`).to.have.length(1);
  expect(roots[0].selectionSet, `${name} selects entity fields`).to.not.equal(undefined);
  return selectedFields(roots[0].selectionSet!, fragments);
}

const VALUES: Record<FieldKind, string | boolean> = {
  address: `0x${'ab'.repeat(20)}`,
  bytes32: `0x${'cd'.repeat(32)}`,
  bytes: '0x0102',
  uint: '7',
  bool: true,
};

describe('entity decoders match graphql/subgraph documents', () => {
  for (const type of types) {
    it(`${type}: the decoder reads exactly the fields ${type}Page and ${type}Live select`, () => {
      const document = parse(readFileSync(join(DOCUMENTS_DIR, `${type}.graphql`), 'utf8'));
      const kinds = entityFieldKinds(type);
      const decoded = ['id', ...Object.keys(kinds)].sort();
      for (const operation of [`${type}Page`, `${type}Live`]) {
        const selected = operationFields(document, operation);
        expect(selected.length, `${operation} selects a field twice`).to.equal(new Set(selected).size);
        expect([...selected].sort(), `${operation} vs the ${type} decoder`).to.deep.equal(decoded);
      }

      // The decoder reads these fields and no other: every read of the raw entity is recorded.
      const raw: StreamedEntity = { id: `${type}-0`, blockNumber: '0', logIndex: '0', ...Object.fromEntries(Object.entries(kinds).map(([field, kind]) => [field, VALUES[kind]])) };
      const read = new Set<string>();
      const recording = new Proxy(raw, {
        get: (target, key) => {
          if (typeof key === 'string') read.add(key);
          return target[key as keyof StreamedEntity];
        },
      });
      const entity = decodeEntity(type, recording);
      expect([...read].sort(), `fields the ${type} decoder reads`).to.deep.equal(decoded);
      expect(Object.keys(entity).sort(), `fields of a decoded ${type}`).to.deep.equal(decoded);
    });
  }
});
