import ganache from 'ganache';
import { ChainClient } from '../chain/chain-client';
import { HttpJsonRpc } from '../chain/json-rpc';

export interface DevChainOptions {
  chainId: number;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  totalAccounts: number;
  /**
   * Mine a block every this many ms (several transactions per block, like a real chain). 0 mines one
   * block per transaction at once (eager instamine): faster, but ganache 7.9.2 then loses
   * transactions submitted concurrently by several senders (they sit in the pool, never mined;
   * ganache issues #2489 and #4487), so the devnet mines on an interval by default.
   */
  blockTimeMs?: number;
}

export interface DevChain {
  chainId: number;
  rpcUrl: string;
  wsUrl: string;
  client: ChainClient;
  /** address (lowercase) -> private key of ganache's deterministic accounts, in ganache's order. */
  accounts: Array<{ address: string; privateKey: string }>;
  /**
   * Resolves once a block later than the current head exists. On interval mining it waits for the
   * miner: an evm_mine racing the interval miner can crash inside ganache 7.9.2.
   */
  nextBlock(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts one in-process ganache chain serving HTTP and WebSocket JSON-RPC on one loopback port.
 * Interval mining (see blockTimeMs) and a large default balance: OSTPrime.initialize needs 800M base coin.
 */
export async function startDevChain(options: DevChainOptions): Promise<DevChain> {
  const host = options.host ?? '127.0.0.1';
  const server = ganache.server({
    chain: { chainId: options.chainId, networkId: options.chainId, vmErrorsOnRPCResponse: true },
    wallet: { deterministic: true, totalAccounts: options.totalAccounts, defaultBalance: 1_000_000_000 },
    miner: options.blockTimeMs ? { blockTime: options.blockTimeMs / 1000 } : { instamine: 'eager' },
    logging: { quiet: true },
  });
  try {
    await server.listen(options.port, host);
  } catch (error) {
    throw new Error(
      `cannot start chain ${options.chainId} on ${host}:${options.port} (${error instanceof Error ? error.message : String(error)}); pick another port`,
    );
  }
  const port = (server.address() as { port: number }).port;
  const initial = await server.provider.getInitialAccounts();
  const accounts = Object.entries(initial).map(([address, account]) => ({
    address: address.toLowerCase(),
    privateKey: account.secretKey,
  }));
  const rpcUrl = `http://${host}:${port}`;
  const client = new ChainClient(new HttpJsonRpc(rpcUrl), options.chainId);
  const nextBlock = async () => {
    if (!options.blockTimeMs) {
      await client.rpc.request('evm_mine', []);
      return;
    }
    const head = await client.blockNumber();
    while ((await client.blockNumber()) <= head) await new Promise((r) => setTimeout(r, Math.max(10, options.blockTimeMs! / 4)));
  };
  return {
    chainId: options.chainId,
    rpcUrl,
    wsUrl: `ws://${host}:${port}`,
    client,
    accounts,
    nextBlock,
    close: async () => {
      await server.close();
    },
  };
}
