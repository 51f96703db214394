import type { Knex } from 'knex';
import { hex, millis, nullableHex, nullableUint, Repository, uint, type Uint } from './scope';

/**
 * One row of `gateways`: a gateway on `chainId`, its remote gateway (`coGateway`) on the other chain,
 * and the highest height of `chainId` at which the remote side has proven this gateway's storage.
 */
export interface GatewayRow {
  gateway: string;
  /** null in rows written before the column existed (they match any chain). */
  chainId: number | null;
  coGateway: string;
  anchor: string | null;
  bounty: string | null;
  activated: boolean | null;
  lastProvenHeight: string;
  updatedAt: number;
}

export interface GatewayInput {
  chainId: number;
  gateway: string;
  coGateway: string;
  anchor?: string | null;
  bounty?: Uint | null;
  activated?: boolean | null;
  lastProvenHeight?: Uint;
}

interface Columns {
  gateway: string;
  chain_id: number | null;
  cogateway: string;
  anchor: string | null;
  bounty: string | null;
  activated: number | boolean | null;
  last_proven_height: string;
  updated_at: number | string;
}

const TABLE = 'gateways';

function toRow(c: Columns): GatewayRow {
  return {
    gateway: c.gateway,
    chainId: c.chain_id === null ? null : Number(c.chain_id),
    coGateway: c.cogateway,
    anchor: c.anchor,
    bounty: c.bounty,
    activated: c.activated === null ? null : Boolean(c.activated),
    lastProvenHeight: c.last_proven_height,
    updatedAt: millis(c.updated_at),
  };
}

async function read(db: Knex | Knex.Transaction, chainId: number, gateway: string): Promise<GatewayRow | undefined> {
  const c = await db<Columns>(TABLE)
    .where({ gateway: gateway.toLowerCase() })
    .andWhere((q) => q.where('chain_id', chainId).orWhereNull('chain_id'))
    .first();
  return c ? toRow(c) : undefined;
}

/**
 * The gateway address is still the table's primary key (the first schema's writers key by it alone),
 * so one address can be recorded for one chain only: recording it for another chain is an error.
 */
async function assertSameChain(trx: Knex.Transaction, chainId: number, gateway: string): Promise<void> {
  const other = await trx<Columns>(TABLE).where({ gateway }).whereNot('chain_id', chainId).whereNotNull('chain_id').first();
  if (other) throw new Error(`gateway ${gateway} is already recorded for chain ${other.chain_id}, not ${chainId}`);
}

/** The `gateways` table. */
export class GatewayRepository extends Repository<GatewayRow> {
  async get(chainId: number, gateway: string): Promise<GatewayRow | undefined> {
    return read(this.db, chainId, gateway);
  }

  /** Inserts or updates the given fields; lastProvenHeight defaults to 0 for a new row and never goes down. */
  async upsert(input: GatewayInput): Promise<GatewayRow> {
    const gateway = hex(input.gateway, 'gateway');
    return this.write(async (trx) => {
      await assertSameChain(trx, input.chainId, gateway);
      const current = await read(trx, input.chainId, gateway);
      const height = input.lastProvenHeight === undefined ? undefined : uint(input.lastProvenHeight, 'lastProvenHeight');
      const columns: Partial<Columns> = {
        chain_id: input.chainId,
        cogateway: hex(input.coGateway, 'coGateway'),
        ...(input.anchor !== undefined ? { anchor: nullableHex(input.anchor, 'anchor') } : {}),
        ...(input.bounty !== undefined ? { bounty: nullableUint(input.bounty, 'bounty') } : {}),
        ...(input.activated !== undefined ? { activated: input.activated } : {}),
        updated_at: Date.now(),
      };
      if (current) {
        if (height !== undefined && BigInt(height) > BigInt(current.lastProvenHeight)) columns.last_proven_height = height;
        await trx(TABLE).where({ gateway }).update(columns);
      } else {
        await trx(TABLE).insert({ gateway, ...columns, last_proven_height: height ?? '0' });
      }
      const row = (await read(trx, input.chainId, gateway))!;
      return { result: row, changed: [row] };
    });
  }

  /**
   * Records that the remote side proved this gateway at `height`, if higher than known. Returns
   * whether it was raised (emits only then).
   */
  async raiseProvenHeight(chainId: number, gateway: string, coGateway: string, height: Uint): Promise<boolean> {
    const address = hex(gateway, 'gateway');
    const value = uint(height, 'height');
    return this.write(async (trx) => {
      await assertSameChain(trx, chainId, address);
      const current = await read(trx, chainId, address);
      if (current && BigInt(current.lastProvenHeight) >= BigInt(value)) return { result: false, changed: [] };
      if (current) {
        await trx(TABLE).where({ gateway: address }).update({ chain_id: chainId, last_proven_height: value, updated_at: Date.now() });
      } else {
        await trx(TABLE).insert({
          gateway: address,
          chain_id: chainId,
          cogateway: hex(coGateway, 'coGateway'),
          last_proven_height: value,
          updated_at: Date.now(),
        });
      }
      const row = (await read(trx, chainId, address))!;
      return { result: true, changed: [row] };
    });
  }
}
