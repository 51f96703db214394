import type { Knex } from 'knex';
import { hex, millis, nullableHex, Repository, uint, type Uint } from './scope';

/** One row of `anchors`: an Anchor contract on `chainId` and the highest remote height anchored in it. */
export interface AnchorRow {
  anchor: string;
  chainId: number;
  lastAnchoredHeight: string;
  /** State root at lastAnchoredHeight, when known. */
  stateRoot: string | null;
  updatedAt: number;
}

interface Columns {
  anchor: string;
  chain_id: number;
  last_anchored_height: string;
  state_root: string | null;
  updated_at: number | string;
}

const TABLE = 'anchors';

function toRow(c: Columns): AnchorRow {
  return {
    anchor: c.anchor,
    chainId: Number(c.chain_id),
    lastAnchoredHeight: c.last_anchored_height,
    stateRoot: c.state_root,
    updatedAt: millis(c.updated_at),
  };
}

async function read(db: Knex | Knex.Transaction, chainId: number, anchor: string): Promise<AnchorRow | undefined> {
  const c = await db<Columns>(TABLE).where({ anchor: anchor.toLowerCase(), chain_id: chainId }).first();
  return c ? toRow(c) : undefined;
}

/** The `anchors` table (primary key: the anchor address; one address is recorded for one chain). */
export class AnchorRepository extends Repository<AnchorRow> {
  async get(chainId: number, anchor: string): Promise<AnchorRow | undefined> {
    return read(this.db, chainId, anchor);
  }

  /** Records `height` (and its state root) if higher than known; returns whether it was raised (emits only then). */
  async raiseAnchoredHeight(chainId: number, anchor: string, height: Uint, stateRoot?: string | null): Promise<boolean> {
    const address = hex(anchor, 'anchor');
    const value = uint(height, 'height');
    const root = nullableHex(stateRoot, 'stateRoot');
    return this.write(async (trx) => {
      const other = await trx<Columns>(TABLE).where({ anchor: address }).whereNot('chain_id', chainId).first();
      if (other) throw new Error(`anchor ${address} is already recorded for chain ${other.chain_id}, not ${chainId}`);
      const current = await read(trx, chainId, address);
      if (current && BigInt(current.lastAnchoredHeight) >= BigInt(value)) return { result: false, changed: [] };
      const values = { last_anchored_height: value, state_root: root, updated_at: Date.now() };
      if (current) await trx(TABLE).where({ anchor: address }).update(values);
      else await trx(TABLE).insert({ anchor: address, chain_id: chainId, ...values });
      const row = (await read(trx, chainId, address))!;
      return { result: true, changed: [row] };
    });
  }
}
