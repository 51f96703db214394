import type { ChainClient } from '../chain/chain-client';
import type { Eip20Token } from '../mosaic/contracts';

export interface WorkerRequirement {
  /** Native coin for gas. */
  minGasBalance: bigint;
  /** Tokens the worker must hold (the bounty on origin). */
  minTokenBalance?: bigint;
}

/**
 * How long a balance read serves later choices (ms). Under load every step chose a worker and read its
 * balances again (two calls per step, the same answer within a block); a balance too old by this much
 * only picks a worker whose simulation then finds it short, the same as a balance spent meanwhile.
 */
const BALANCE_TTL_MS = 1_000;

interface CachedRead {
  at: number;
  value: Promise<bigint>;
}

/** Round-robin choice among a chain's workers that can afford the step (balances read on-chain, shared for BALANCE_TTL_MS). */
export class WorkerPool {
  private next = 0;
  private readonly gas = new Map<string, CachedRead>();
  private readonly tokens = new Map<string, CachedRead>();

  constructor(
    private readonly workers: readonly string[],
    private readonly client: ChainClient,
    private readonly token?: Eip20Token,
  ) {}

  async choose(requirement: WorkerRequirement): Promise<string | undefined> {
    // The turn is taken before the balances are read: concurrent choices (a burst of accepts) read
    // `next` while the first one's reads were pending, and all took the same worker.
    const start = this.next;
    this.next = (start + 1) % Math.max(1, this.workers.length);
    for (let i = 0; i < this.workers.length; i++) {
      const index = (start + i) % this.workers.length;
      const worker = this.workers[index];
      if ((await this.gasBalance(worker)) < requirement.minGasBalance) continue;
      if (requirement.minTokenBalance !== undefined && this.token) {
        if ((await this.tokenBalance(worker, this.token)) < requirement.minTokenBalance) continue;
      }
      return worker;
    }
    return undefined;
  }

  /** Prefers `preferred` when it qualifies (e.g. the accepting worker gets its bounty back). */
  async prefer(preferred: string, requirement: WorkerRequirement): Promise<string | undefined> {
    if (this.workers.includes(preferred) && (await this.gasBalance(preferred)) >= requirement.minGasBalance) {
      return preferred;
    }
    return this.choose(requirement);
  }

  private gasBalance(worker: string): Promise<bigint> {
    return cached(this.gas, worker, () => this.client.getBalance(worker));
  }

  private tokenBalance(worker: string, token: Eip20Token): Promise<bigint> {
    return cached(this.tokens, worker, () => token.balanceOf(worker));
  }
}

/** One read per worker per BALANCE_TTL_MS, shared by the choices made meanwhile (a failed read is not kept). */
function cached(reads: Map<string, CachedRead>, worker: string, read: () => Promise<bigint>): Promise<bigint> {
  const now = Date.now();
  const hit = reads.get(worker);
  if (hit && now - hit.at < BALANCE_TTL_MS) return hit.value;
  const value = read();
  reads.set(worker, { at: now, value });
  value.catch(() => {
    if (reads.get(worker)?.value === value) reads.delete(worker);
  });
  return value;
}
