import { NonRetryableError } from '../../errors/facilitator-error';
import type { EntityData, EntityTypeInfo } from '../wasm/types';
import type { EntityColumns } from './column-codec';

/**
 * A block's writes as the store takes them: entity type -> id -> the entity, as the mapping set it
 * (BlockWrites) or already in column form (from a mapping worker).
 */
export type StoreWrites = ReadonlyMap<string, ReadonlyMap<string, EntityData | EntityColumns>>;

/** One block's writes, as a store commits them (in block order within a batch). */
export interface BlockCommit {
  number: number;
  writes: StoreWrites | undefined;
}

/** The version of an entity alive before the batch (block_to null in the table). */
export interface StoredVersion {
  vid: number;
  blockFrom: number;
}

/** A version the batch creates; `blockTo` is set when a later block of the same batch replaces it. */
export interface NewVersion {
  id: string;
  blockFrom: number;
  blockTo: number | null;
  data: EntityData | EntityColumns;
}

/** What one entity type's table gets from a batch. */
export interface TablePlan {
  type: EntityTypeInfo;
  inserts: NewVersion[];
  /** Stored versions closed at a block: block_to = key. */
  closes: Map<number, number[]>;
  /** Stored versions born in a block the batch writes again (graph-node keeps one version per block). */
  deletes: number[];
}

export interface WritePlan {
  tables: Map<string, TablePlan>;
  /** How many of the batch's blocks the plan covers: all of them unless `violation` stops it earlier. */
  blocks: number;
  /** An immutable entity set again: the plan stops before its block, which must not be committed. */
  violation?: NonRetryableError;
}

type Current = { stored: StoredVersion } | { created: NewVersion };

/** Every entity id each type's writes touch in the batch (the stored versions to look up). */
export function idsByType(batch: readonly BlockCommit[]): Map<string, Set<string>> {
  const ids = new Map<string, Set<string>>();
  for (const { writes } of batch) {
    for (const [typeName, entities] of writes ?? []) {
      let set = ids.get(typeName);
      if (!set) ids.set(typeName, (set = new Set()));
      for (const id of entities.keys()) set.add(id);
    }
  }
  return ids;
}

function tablePlan(plan: WritePlan, type: EntityTypeInfo): TablePlan {
  let table = plan.tables.get(type.name);
  if (!table) plan.tables.set(type.name, (table = { type, inserts: [], closes: new Map(), deletes: [] }));
  return table;
}

/** Ends the version alive before `number`; false when the type is immutable (the caller stops there). */
function supersede(table: TablePlan, current: Current, number: number): boolean {
  if ('created' in current) {
    if (current.created.blockFrom === number) {
      table.inserts.splice(table.inserts.indexOf(current.created), 1);
      return true;
    }
    if (table.type.immutable) return false;
    current.created.blockTo = number;
    return true;
  }
  if (current.stored.blockFrom === number) {
    table.deletes.push(current.stored.vid);
    return true;
  }
  if (table.type.immutable) return false;
  const closing = table.closes.get(number) ?? [];
  closing.push(current.stored.vid);
  table.closes.set(number, closing);
  return true;
}

/**
 * The versions a batch of blocks creates, closes and deletes, given the versions alive before it
 * (`stored`: type -> id -> version), the way one commit per block would leave the tables: a write
 * closes the entity's live version at its block and opens a new one there. An immutable entity
 * written again stops the plan before that block, as a per-block commit would have failed there.
 * Blocks come in ascending order, each once.
 */
export function planWrites(
  batch: readonly BlockCommit[],
  stored: Map<string, Map<string, StoredVersion>>,
  entityType: (name: string) => EntityTypeInfo,
): WritePlan {
  const plan: WritePlan = { tables: new Map(), blocks: 0 };
  const current = new Map<string, Map<string, Current>>();
  for (const { number, writes } of batch) {
    for (const [typeName, entities] of writes ?? []) {
      const table = tablePlan(plan, entityType(typeName));
      let live = current.get(typeName);
      if (!live) current.set(typeName, (live = new Map()));
      for (const [id, data] of entities) {
        const before = live.get(id) ?? storedCurrent(stored, typeName, id);
        if (before && !supersede(table, before, number)) {
          // Plan again over the blocks before this one: none of this block's changes may be committed.
          const violation = new NonRetryableError(`immutable entity ${typeName} ${id} already exists (set again at block ${number})`, {
            details: { entityType: typeName, blockNumber: number },
          });
          return { ...planWrites(batch.slice(0, plan.blocks), stored, entityType), violation };
        }
        const version: NewVersion = { id, blockFrom: number, blockTo: null, data };
        table.inserts.push(version);
        live.set(id, { created: version });
      }
    }
    plan.blocks += 1;
  }
  return plan;
}

function storedCurrent(stored: Map<string, Map<string, StoredVersion>>, typeName: string, id: string): Current | undefined {
  const version = stored.get(typeName)?.get(id);
  return version ? { stored: version } : undefined;
}
