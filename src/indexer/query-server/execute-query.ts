import { execute, GraphQLError, Kind, OperationTypeNode, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { BlockPointer, EntityJson, EntityStore } from '../entity-store/entity-store';
import type { EntityFilter } from '../entity-store/entity-query';
import type { ApiEntity, ApiField, ApiModel } from './api-model';
import { buildEntityQuery, columnOf, type QueryModel } from './build-entity-query';
import { pluralField, singularField } from './naming';
import { prepareQuery, type PreparedField, type PreparedQuery } from './prepare-query';
import { EnumValue, errors, isObjectValue, QueryExecutionError, type ArgumentValue, type QueryLocation } from './query-errors';

/*
 * graph-node's execution (graphql/src/runner.rs, graphql/src/store/resolver.rs): root fields grouped
 * by block constraint, each group answered whole or not at all, `_meta` at the group's block, and
 * indexing errors applied after (`post_process`).
 */

export interface SubgraphQueryContext {
  store: EntityStore;
  model: ApiModel;
  schema: GraphQLSchema;
  deployment: string;
  /** The subgraph's first block: older blocks are refused (graph-node's earliest_block_number). */
  startBlock: bigint;
  /** Whether a deterministic failure stopped indexing (visible at the latest block). */
  hasIndexingErrors: () => boolean;
}

export interface QueryResultBody {
  data?: Record<string, unknown>;
  errors?: Array<{ message: string; locations?: QueryLocation[] }>;
}

type Constraint = { kind: 'latest' } | { kind: 'number'; number: number } | { kind: 'min'; number: number } | { kind: 'hash'; hash: string };

interface Pointer {
  number: bigint;
  hash?: string;
  latest: boolean;
}

function constraintOf(field: PreparedField): Constraint {
  const block = field.args.block;
  if (block === undefined || block === null) return { kind: 'latest' };
  if (!isObjectValue(block)) throw errors.invalidArgument('block', block);
  if ('hash' in block) {
    if (typeof block.hash !== 'string' || !/^(0x)?[0-9a-fA-F]{64}$/.test(block.hash)) throw errors.invalidArgument('block', block);
    return { kind: 'hash', hash: `0x${block.hash.replace(/^0x/, '').toLowerCase()}` };
  }
  if (typeof block.number === 'number') return { kind: 'number', number: block.number };
  if (typeof block.number_gte === 'number') return { kind: 'min', number: block.number_gte };
  throw errors.invalidArgument('block', block);
}

const sameConstraint = (a: Constraint, b: Constraint) => JSON.stringify(a) === JSON.stringify(b);

class Execution implements QueryModel {
  readonly model: ApiModel;
  private readonly roots = new Map<string, { entity: ApiEntity; collection: boolean }>();

  constructor(
    private readonly context: SubgraphQueryContext,
    private readonly query: PreparedQuery,
  ) {
    this.model = context.model;
    for (const entity of context.model.entities.values()) {
      this.roots.set(singularField(entity.name), { entity, collection: false });
      this.roots.set(pluralField(entity.name), { entity, collection: true });
    }
  }

  tableOf = (type: string) => this.context.store.tableOf(type);

  private queryable(number: bigint, latest: BlockPointer): void {
    if (number > latest.number) {
      throw errors.valueParse('block.number', `subgraph ${this.context.deployment} has only indexed up to block number ${latest.number} and data for block number ${number} is therefore not yet available`);
    }
    if (number < this.context.startBlock) {
      throw errors.valueParse('block.number', `subgraph ${this.context.deployment} only has data starting at block number ${this.context.startBlock} and data for block number ${number} is therefore not available`);
    }
  }

  /** locate_blocks: the block a constraint names, or graph-node's error for it. */
  async locate(constraint: Constraint): Promise<Pointer> {
    const latest = await this.context.store.cursor();
    if (!latest) throw errors.notStarted(this.context.deployment);
    switch (constraint.kind) {
      case 'latest':
        return { number: latest.number, hash: latest.hash, latest: true };
      case 'number':
        this.queryable(BigInt(constraint.number), latest);
        return { number: BigInt(constraint.number), latest: false };
      case 'min':
        if (latest.number < BigInt(constraint.number)) {
          throw errors.valueParse('block.number_gte', `subgraph ${this.context.deployment} has only indexed up to block number ${latest.number} and data for block number ${constraint.number} is therefore not yet available`);
        }
        return { number: latest.number, hash: latest.hash, latest: true };
      case 'hash': {
        const found = await this.context.store.blockByHash(constraint.hash);
        if (!found) throw errors.valueParse('block.hash', 'no block with that hash found');
        this.queryable(found.number, latest);
        return { number: found.number, hash: found.hash, latest: found.number === latest.number };
      }
    }
  }

  async rootField(field: PreparedField, at: Pointer): Promise<unknown> {
    if (field.name === '__typename') return 'Query';
    if (field.name === '__schema' || field.name === '__type') return this.introspect(field);
    if (field.name === '_meta') return this.meta(field, at);
    const root = this.roots.get(field.name)!;
    if (!root.collection) {
      const row = await this.context.store.findOne(root.entity.name, String(field.args.id), at.number);
      return row ? this.complete(root.entity, row, field.selection, at) : null;
    }
    return this.collection(root.entity, field, at);
  }

  private async collection(entity: ApiEntity, field: PreparedField, at: Pointer, extra?: EntityFilter): Promise<unknown[]> {
    const rows = await this.context.store.query(entity.name, buildEntityQuery(this, entity, field.args, extra), at.number);
    return Promise.all(rows.map((row) => this.complete(entity, row, field.selection, at)));
  }

  private async complete(entity: ApiEntity, row: EntityJson, selection: PreparedField[], at: Pointer): Promise<Record<string, unknown>> {
    const object: Record<string, unknown> = {};
    for (const field of selection) {
      if (field.name === '__typename') {
        object[field.responseKey] = entity.name;
        continue;
      }
      const definition = entity.fields.get(field.name)!;
      object[field.responseKey] = definition.kind === 'entity' ? await this.reference(definition, row, field, at) : (row[field.name] ?? null);
    }
    return object;
  }

  /** A field naming other entities: by stored id(s), or derived from the children pointing back. */
  private async reference(definition: ApiField, row: EntityJson, field: PreparedField, at: Pointer): Promise<unknown> {
    const child = this.model.entities.get(definition.type)!;
    if (definition.derivedFrom !== undefined) {
      const back = columnOf(child.fields.get(definition.derivedFrom)!);
      const points: EntityFilter = back.list
        ? { kind: 'pattern', op: 'contains', column: back, value: [String(row.id)] }
        : { kind: 'compare', op: 'eq', column: back, value: String(row.id) };
      if (definition.list) return this.collection(child, field, at, points);
      const found = await this.collection(child, { ...field, args: { first: 1 } }, at, points);
      return found[0] ?? null;
    }
    const stored = row[definition.name];
    if (stored === null || stored === undefined) return null;
    if (definition.list) {
      const ids = (stored as unknown[]).map(String);
      return this.collection(child, field, at, { kind: 'in', column: { column: 'id', type: 'ID', list: false }, values: ids });
    }
    const found = await this.context.store.findOne(child.name, String(stored), at.number);
    return found ? this.complete(child, found, field.selection, at) : null;
  }

  /** lookup_meta: the block the group reads (hash only when not asked by number), deployment, errors. */
  private async meta(field: PreparedField, at: Pointer): Promise<unknown> {
    const record = at.hash ? await this.context.store.blockByHash(at.hash) : undefined;
    const block = {
      number: Number(at.number),
      hash: at.hash ?? null,
      timestamp: record?.timestamp !== undefined ? Number(record.timestamp) : null,
      parentHash: record?.parentHash ?? null,
      __typename: '_Block_',
    };
    const meta = { block, deployment: this.context.deployment, hasIndexingErrors: at.latest && this.context.hasIndexingErrors(), __typename: '_Meta_' };
    return project(meta, field.selection);
  }

  private introspect(field: PreparedField): unknown {
    const document: DocumentNode = {
      kind: Kind.DOCUMENT,
      definitions: [{ ...this.query.operation, operation: OperationTypeNode.QUERY, selectionSet: { kind: Kind.SELECTION_SET, selections: [field.node] } }, ...this.query.fragments.values()],
    };
    const result = execute({ schema: this.context.schema, document, variableValues: this.query.variables }) as { data?: Record<string, unknown>; errors?: readonly GraphQLError[] };
    if (result.errors?.length) throw new QueryExecutionError(result.errors[0].message);
    return result.data?.[field.responseKey] ?? null;
  }
}

function project(value: Record<string, unknown>, selection: PreparedField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of selection) {
    const inner = value[field.name];
    out[field.responseKey] = field.selection.length > 0 && inner !== null && typeof inner === 'object' ? project(inner as Record<string, unknown>, field.selection) : (inner ?? null);
  }
  return out;
}

const DEBUG_FIELDS = new Set(['_meta', '__schema', '__type']);

/** post_process: a failed subgraph answers `indexing_error`; under `deny` only the debugging fields keep their data. */
function postProcess(data: Record<string, unknown>, fields: PreparedField[], deny: boolean): QueryResultBody {
  if (fields.every((f) => f.name === '_meta')) return { data };
  const error = { message: errors.indexingError().message };
  if (!deny) return { data, errors: [error] };
  const kept = Object.fromEntries(fields.filter((f) => DEBUG_FIELDS.has(f.name)).map((f) => [f.responseKey, data[f.responseKey]]));
  return Object.keys(kept).length > 0 ? { data: kept, errors: [error] } : { errors: [error] };
}

function errorBody(error: unknown): QueryResultBody {
  if (error instanceof QueryExecutionError) return { errors: [{ message: error.message, ...(error.location ? { locations: [error.location] } : {}) }] };
  throw error;
}

async function runGroup(execution: Execution, constraint: Constraint, fields: PreparedField[], context: SubgraphQueryContext): Promise<QueryResultBody> {
  try {
    const at = await execution.locate(constraint);
    const data: Record<string, unknown> = {};
    for (const field of fields) data[field.responseKey] = await execution.rootField(field, at);
    if (!(at.latest && context.hasIndexingErrors())) return { data };
    const deny = fields.some((f) => !(f.args.subgraphError instanceof EnumValue && f.args.subgraphError.name === 'allow'));
    return postProcess(data, fields, deny);
  } catch (error) {
    return errorBody(error);
  }
}

/** Groups consecutive root fields with the same block constraint (Query::block_constraint). */
function groups(fields: PreparedField[]): Array<{ constraint: Constraint; fields: PreparedField[] }> {
  const out: Array<{ constraint: Constraint; fields: PreparedField[] }> = [];
  for (const field of fields) {
    const constraint = constraintOf(field);
    const last = out[out.length - 1];
    if (last && sameConstraint(last.constraint, constraint)) last.fields.push(field);
    else out.push({ constraint, fields: [field] });
  }
  return out;
}

/** Runs one GraphQL document as graph-node does; the body to send (always with HTTP 200). */
export async function executeQuery(context: SubgraphQueryContext, document: DocumentNode, variables?: Record<string, unknown>, allowSubscription = false): Promise<QueryResultBody> {
  let prepared: PreparedQuery;
  let parts: Array<{ constraint: Constraint; fields: PreparedField[] }>;
  try {
    prepared = prepareQuery(context.schema, document, variables ?? {}, allowSubscription);
    parts = groups(prepared.fields);
  } catch (error) {
    return errorBody(error);
  }
  const execution = new Execution(context, prepared);
  const results = [];
  for (const part of parts) results.push(await runGroup(execution, part.constraint, part.fields, context));
  const withData = results.filter((r) => r.data);
  const allErrors = results.flatMap((r) => r.errors ?? []);
  const body: QueryResultBody = {};
  if (withData.length > 0) body.data = Object.assign({}, ...withData.map((r) => r.data));
  if (allErrors.length > 0) body.errors = allErrors;
  if (!body.data && !body.errors) body.data = {};
  return body;
}

export type { ArgumentValue };
