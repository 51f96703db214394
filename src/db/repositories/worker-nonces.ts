import { hex, Repository, uint, type Uint } from './scope';

/** One row of `worker_nonces`: the next nonce the facilitator will use for a worker on a chain. */
export interface WorkerNonceRow {
  chainId: number;
  worker: string;
  nextNonce: string;
}

interface Columns {
  chain_id: number;
  worker: string;
  next_nonce: string;
}

const TABLE = 'worker_nonces';

const toRow = (c: Columns): WorkerNonceRow => ({ chainId: Number(c.chain_id), worker: c.worker, nextNonce: c.next_nonce });

/** The `worker_nonces` table. */
export class WorkerNonceRepository extends Repository<WorkerNonceRow> {
  async get(chainId: number, worker: string): Promise<WorkerNonceRow | undefined> {
    const c = await this.db<Columns>(TABLE).where({ chain_id: chainId, worker: worker.toLowerCase() }).first();
    return c ? toRow(c) : undefined;
  }

  /**
   * Takes the next nonce: the higher of the stored one and the chain's pending count (transactions
   * sent by other software), and stores it + 1. Returns the nonce taken (decimal text).
   */
  async reserve(chainId: number, worker: string, chainPending: Uint): Promise<string> {
    const address = hex(worker, 'worker');
    const pending = BigInt(uint(chainPending, 'chainPending'));
    return this.write(async (trx) => {
      const c = await trx<Columns>(TABLE).where({ chain_id: chainId, worker: address }).first();
      const stored = c ? BigInt(c.next_nonce) : 0n;
      const nonce = stored > pending ? stored : pending;
      const next = (nonce + 1n).toString();
      if (c) await trx(TABLE).where({ chain_id: chainId, worker: address }).update({ next_nonce: next });
      else await trx(TABLE).insert({ chain_id: chainId, worker: address, next_nonce: next });
      return { result: nonce.toString(), changed: [{ chainId, worker: address, nextNonce: next }] };
    });
  }

  /** Gives `nonce` back if it was the last one taken (its transaction was never broadcast). Returns whether it was. */
  async release(chainId: number, worker: string, nonce: Uint): Promise<boolean> {
    const address = hex(worker, 'worker');
    const value = BigInt(uint(nonce, 'nonce'));
    return this.write(async (trx) => {
      const updated = await trx(TABLE)
        .where({ chain_id: chainId, worker: address, next_nonce: (value + 1n).toString() })
        .update({ next_nonce: value.toString() });
      return { result: updated > 0, changed: updated > 0 ? [{ chainId, worker: address, nextNonce: value.toString() }] : [] };
    });
  }
}
