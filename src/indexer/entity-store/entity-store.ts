import type { Knex } from 'knex';
import { Subject } from 'rxjs';
import type { BlockStore, FollowedBlock } from '../follower/follower-ports';
import { parseSchema, type SubgraphSchema } from '../wasm/schema';
import type { EntityFieldInfo, EntityTypeInfo } from '../wasm/types';
import { fromColumn, storedFields } from './column-codec';
import { applyFilter, SqlDialect, type EntityOrder, type EntityQuery } from './entity-query';
import { applyTablePlan, liveVersions, recordBlocks } from './batch-writes';
import { idsByType, planWrites, type BlockCommit, type StoredVersion, type StoreWrites, type WritePlan } from './write-plan';

export interface BlockPointer {
  number: bigint;
  hash: string;
  timestamp?: bigint;
  /** Known for blocks read from the block records (blockByHash). */
  parentHash?: string;
}

export interface StoreChange {
  blockNumber: bigint;
  entityTypes: Set<string>;
}

export type EntityJson = Record<string, unknown>;

/** Raised for query input the store cannot answer (unknown field, bad filter); the message is the GraphQL error. */
export class QueryInputError extends Error {
  override readonly name = 'QueryInputError';
}

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * Entities of one subgraph in SQL, versioned like graph-node: each version lives in blocks
 * [block_from, block_to). Queries at a block see the versions alive then; a reorg deletes versions
 * born after the fork and reopens those closed after it. One block's writes commit atomically with
 * the block record and the cursor.
 */
export class EntityStore implements BlockStore<StoreWrites> {
  private readonly changes = new Subject<StoreChange>();
  readonly changes$ = this.changes.asObservable();
  readonly schema: SubgraphSchema;
  private readonly dialect: SqlDialect;

  private constructor(
    private readonly knex: Knex,
    readonly namespace: string,
    schema: SubgraphSchema,
  ) {
    this.schema = schema;
    this.dialect = new SqlDialect(knex);
  }

  /** `schema`: schemaSdl already parsed (the loaded subgraph's), not parsed again. */
  static async open(options: { knex: Knex; namespace: string; schemaSdl: string; schema?: SubgraphSchema }): Promise<EntityStore> {
    if (!/^[a-z][a-z0-9_]*$/.test(options.namespace)) throw new Error(`namespace must be lowercase letters, digits and _, got ${options.namespace}`);
    const store = new EntityStore(options.knex, options.namespace, options.schema ?? parseSchema(options.schemaSdl));
    await store.createTables();
    return store;
  }

  entityType(name: string): EntityTypeInfo {
    const type = this.schema.entityTypes.get(name);
    if (!type) throw new QueryInputError(`unknown entity type ${name}`);
    return type;
  }

  tableOf(type: string): string {
    return `${this.namespace}__${snake(type)}`;
  }

  private get blocksTable(): string {
    return `${this.namespace}___blocks`;
  }

  private get cursorTable(): string {
    return `${this.namespace}___cursor`;
  }

  private storedFields(type: EntityTypeInfo): EntityFieldInfo[] {
    return storedFields(type);
  }

  /** Every table in one transaction: one commit (one fsync) for the dozens of statements. */
  private async createTables(): Promise<void> {
    await this.knex.transaction(async (trx) => {
      // trx.schema builds a fresh builder on each access; one reused builder would replay statements.
      await this.createTablesIn(() => trx.schema);
    });
  }

  private async createTablesIn(schema: () => Knex.SchemaBuilder): Promise<void> {
    for (const type of this.schema.entityTypes.values()) {
      const table = this.tableOf(type.name);
      if (await schema().hasTable(table)) continue;
      await schema().createTable(table, (t) => {
        t.increments('vid').primary();
        t.string('id', 200).notNullable();
        t.bigInteger('block_from').notNullable();
        t.bigInteger('block_to').nullable();
        for (const field of this.storedFields(type)) {
          if (field.list || field.type === 'String' || field.type === 'BigDecimal') t.text(`f_${field.name}`).nullable();
          else if (field.type === 'Int') t.integer(`f_${field.name}`).nullable();
          else if (field.type === 'Boolean') t.integer(`f_${field.name}`).nullable();
          else t.string(`f_${field.name}`, 200).nullable();
        }
        t.index(['id', 'block_to']);
        t.index(['block_from']);
      });
    }
    if (!(await schema().hasTable(this.blocksTable))) {
      await schema().createTable(this.blocksTable, (t) => {
        t.bigInteger('number').primary();
        t.string('hash', 66).notNullable();
        t.string('parent_hash', 66).notNullable();
        t.bigInteger('timestamp').notNullable();
      });
    }
    if (!(await schema().hasTable(this.cursorTable))) {
      await schema().createTable(this.cursorTable, (t) => {
        t.integer('singleton').primary();
        t.bigInteger('number').notNullable();
        t.string('hash', 66).notNullable();
        t.bigInteger('timestamp').notNullable();
      });
    }
  }

  // ---- writing (BlockStore) ----

  async cursor(): Promise<BlockPointer | undefined> {
    const row = await this.knex(this.cursorTable).where({ singleton: 1 }).first();
    return row ? { number: BigInt(row.number), hash: row.hash, timestamp: BigInt(row.timestamp) } : undefined;
  }

  async recentBlocks(limit: number): Promise<Array<{ number: bigint; hash: string }>> {
    const rows = await this.knex(this.blocksTable).orderBy('number', 'desc').limit(limit);
    return rows.map((r: { number: number | string; hash: string }) => ({ number: BigInt(r.number), hash: r.hash }));
  }

  async blockByHash(hash: string): Promise<BlockPointer | undefined> {
    const row = await this.knex(this.blocksTable).where({ hash: hash.toLowerCase() }).first();
    return row ? { number: BigInt(row.number), hash: row.hash, parentHash: row.parent_hash, timestamp: BigInt(row.timestamp) } : undefined;
  }

  /** One block's writes, recorded with the block and the cursor, atomically. */
  async commitBlock(block: FollowedBlock, writes: StoreWrites | undefined): Promise<void> {
    await this.commitBlocks([{ block, writes }]);
  }

  /**
   * Blocks' writes in order, the blocks recorded and the cursor moved to the last, in one transaction
   * of a few statements per entity type. An immutable entity set again fails its block: the blocks
   * before it are committed, then the NonRetryableError is thrown.
   */
  async commitBlocks(batch: ReadonlyArray<{ block: FollowedBlock; writes: StoreWrites | undefined }>): Promise<void> {
    const commits: BlockCommit[] = batch.map(({ block, writes }) => ({ number: Number(block.number), writes }));
    let plan: WritePlan | undefined;
    await this.knex.transaction(async (trx) => {
      const stored = new Map<string, Map<string, StoredVersion>>();
      for (const [typeName, ids] of idsByType(commits)) stored.set(typeName, await liveVersions(trx, this.tableOf(this.entityType(typeName).name), ids));
      plan = planWrites(commits, stored, (name) => this.entityType(name));
      if (plan.blocks === 0) return;
      for (const table of plan.tables.values()) await applyTablePlan(trx, this.tableOf(table.type.name), table, this.storedFields(table.type));
      const blocks = batch.slice(0, plan.blocks).map((commit) => commit.block);
      await recordBlocks(trx, this.blocksTable, blocks);
      const last = blocks[blocks.length - 1];
      await trx(this.cursorTable)
        .insert({ singleton: 1, number: Number(last.number), hash: last.hash.toLowerCase(), timestamp: Number(last.timestamp) })
        .onConflict('singleton')
        .merge();
    });
    if (!plan) return;
    if (plan.blocks > 0) this.changes.next({ blockNumber: batch[plan.blocks - 1].block.number, entityTypes: new Set(plan.tables.keys()) });
    if (plan.violation) throw plan.violation;
  }

  async rollbackTo(blockNumber: bigint): Promise<void> {
    const target = Number(blockNumber);
    const changed = new Set<string>();
    await this.knex.transaction(async (trx) => {
      for (const type of this.schema.entityTypes.values()) {
        const table = this.tableOf(type.name);
        const removed = await trx(table).where('block_from', '>', target).delete();
        const reopened = await trx(table).where('block_to', '>', target).update({ block_to: null });
        if (removed > 0 || reopened > 0) changed.add(type.name);
      }
      await trx(this.blocksTable).where('number', '>', target).delete();
      const newest = await trx(this.blocksTable).where('number', '<=', target).orderBy('number', 'desc').first();
      if (newest) {
        await trx(this.cursorTable)
          .insert({ singleton: 1, number: newest.number, hash: newest.hash, timestamp: newest.timestamp })
          .onConflict('singleton')
          .merge();
      } else {
        // Nothing recorded at or below the target: start over from the subgraph's start block.
        for (const type of this.schema.entityTypes.values()) await trx(this.tableOf(type.name)).delete();
        await trx(this.cursorTable).delete();
      }
    });
    this.changes.next({ blockNumber, entityTypes: changed });
  }

  async pruneBlocks(below: bigint): Promise<void> {
    const cursor = await this.cursor();
    await this.knex(this.blocksTable)
      .where('number', '<', Number(below))
      .whereNot('number', cursor ? Number(cursor.number) : -1)
      .delete();
  }

  // ---- reading ----

  private alive(query: Knex.QueryBuilder, block: bigint, table?: string): Knex.QueryBuilder {
    const at = Number(block);
    const column = (name: string) => (table ? `${table}.${name}` : name);
    return query.where(column('block_from'), '<=', at).andWhere((q) => q.whereNull(column('block_to')).orWhere(column('block_to'), '>', at));
  }

  private toJson(type: EntityTypeInfo, row: Record<string, unknown>): EntityJson {
    const entity: EntityJson = { id: row.id };
    for (const field of this.storedFields(type)) entity[field.name] = fromColumn(field, row[`f_${field.name}`]);
    return entity;
  }

  async findOne(typeName: string, id: string, block: bigint): Promise<EntityJson | null> {
    const type = this.entityType(typeName);
    const row = await this.alive(this.knex(this.tableOf(typeName)).where({ id }), block).first();
    return row ? this.toJson(type, row) : null;
  }

  /** Entities of a type alive at `block`, filtered, ordered and paged as graph-node's EntityQuery. */
  async query(typeName: string, query: EntityQuery, block: bigint): Promise<EntityJson[]> {
    const type = this.entityType(typeName);
    const table = this.tableOf(typeName);
    const builder = this.alive(this.knex(table), block, table).select(`${table}.*`);
    const context = { knex: this.knex, dialect: this.dialect, alive: (q: Knex.QueryBuilder) => this.alive(q, block) };
    if (query.filter) applyFilter(builder, query.filter, context);
    this.applyOrder(builder, table, query.order, block);
    const rows = await builder.limit(query.first).offset(query.skip);
    return rows.map((row: Record<string, unknown>) => this.toJson(type, row));
  }

  private applyOrder(builder: Knex.QueryBuilder, table: string, order: EntityOrder, block: bigint): void {
    if (order.kind === 'default') {
      builder.orderBy(`${table}.id`, 'asc');
      return;
    }
    if (order.kind === 'column') {
      builder.orderBy(this.dialect.expression(order.column, table) as unknown as string, order.direction);
      builder.orderBy(`${table}.id`, order.direction);
      return;
    }
    const child = this.alive(this.knex(order.table), block).select('id', order.childColumn.column).as('c');
    builder.leftJoin(child, 'c.id', `${table}.${order.column.column}`);
    builder.orderBy(this.dialect.expression(order.childColumn, 'c') as unknown as string, order.direction);
    builder.orderBy(`${table}.id`, order.direction);
  }

  /** Every entity of a type at `block`, by id (tests, tools). */
  async findMany(typeName: string, options: { first: number; skip: number }, block: bigint): Promise<EntityJson[]> {
    return this.query(typeName, { order: { kind: 'default' }, ...options }, block);
  }
}

export { snake as snakeCase };
