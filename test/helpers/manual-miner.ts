import type { ChainClient } from '../../src/chain/chain-client';

export interface ManualMiner {
  /** No blocks until resume(). */
  pause(): void;
  resume(): void;
  /** Every block mined from now on gets this base fee (undefined: the chain's own rule again). */
  holdBaseFee(fee: bigint | undefined): void;
  /** Resolves after `count` more blocks were mined. */
  blocks(count: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Mines a block every `intervalMs` on an anvil chain whose automine is off, under the test's control:
 * anvil's own interval mining cannot be paused and resumed at sub-second intervals over RPC.
 */
export async function startManualMiner(client: ChainClient, intervalMs = 100): Promise<ManualMiner> {
  await client.rpc.request('evm_setAutomine', [false]);
  let paused = false;
  let stopped = false;
  let baseFee: bigint | undefined;
  let mined = 0;
  const loop = (async () => {
    while (!stopped) {
      if (!paused) {
        if (baseFee !== undefined) await client.rpc.request('anvil_setNextBlockBaseFeePerGas', [`0x${baseFee.toString(16)}`]);
        await client.rpc.request('evm_mine', []);
        mined += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    pause: () => (paused = true),
    resume: () => (paused = false),
    holdBaseFee: (fee) => (baseFee = fee),
    blocks: async (count) => {
      const target = mined + count;
      while (mined < target) await new Promise((resolve) => setTimeout(resolve, intervalMs / 4));
    },
    stop: async () => {
      stopped = true;
      await loop;
      await client.rpc.request('evm_setAutomine', [true]);
    },
  };
}
