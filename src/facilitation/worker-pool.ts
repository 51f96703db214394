import type { ChainClient } from '../chain/chain-client';
import type { Eip20Token } from '../mosaic/contracts';

export interface WorkerRequirement {
  /** Native coin for gas. */
  minGasBalance: bigint;
  /** Tokens the worker must hold (the bounty on origin). */
  minTokenBalance?: bigint;
}

/** Round-robin choice among a chain's workers that can afford the step (balances read on-chain). */
export class WorkerPool {
  private next = 0;

  constructor(
    private readonly workers: readonly string[],
    private readonly client: ChainClient,
    private readonly token?: Eip20Token,
  ) {}

  async choose(requirement: WorkerRequirement): Promise<string | undefined> {
    for (let i = 0; i < this.workers.length; i++) {
      const index = (this.next + i) % this.workers.length;
      const worker = this.workers[index];
      if ((await this.client.getBalance(worker)) < requirement.minGasBalance) continue;
      if (requirement.minTokenBalance !== undefined && this.token) {
        if ((await this.token.balanceOf(worker)) < requirement.minTokenBalance) continue;
      }
      this.next = index + 1;
      return worker;
    }
    return undefined;
  }

  /** Prefers `preferred` when it qualifies (e.g. the accepting worker gets its bounty back). */
  async prefer(preferred: string, requirement: WorkerRequirement): Promise<string | undefined> {
    if (this.workers.includes(preferred) && (await this.client.getBalance(preferred)) >= requirement.minGasBalance) {
      return preferred;
    }
    return this.choose(requirement);
  }
}
