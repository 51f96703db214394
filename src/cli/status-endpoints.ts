/** The part of the status query and output about each chain's JSON-RPC endpoints (failover). */

export const RPC_ENDPOINTS_QUERY = 'rpcChains: chains { chainId rpcFailovers rpcEndpoints { endpoint active healthy lagBlocks fault } }';

export interface RpcChainAnswer {
  chainId: number;
  rpcFailovers: number;
  rpcEndpoints: Array<{ endpoint: string; active: boolean; healthy: boolean; lagBlocks: string | null; fault: string | null }>;
}

/** One line per endpoint (redacted by the API), the active one starred; the failovers per chain. */
export function rpcEndpointLines(chains: readonly RpcChainAnswer[]): string[] {
  const lines = ['rpc endpoints:'];
  for (const chain of chains) {
    const failovers = chain.rpcFailovers > 0 ? `  (${chain.rpcFailovers} failover${chain.rpcFailovers === 1 ? '' : 's'})` : '';
    chain.rpcEndpoints.forEach((e, index) => {
      const state = e.healthy ? 'healthy' : `down${e.fault ? ` (${e.fault})` : ''}`;
      const lag = e.lagBlocks !== null && e.lagBlocks !== '0' ? `  lag ${e.lagBlocks} blocks` : '';
      const prefix = index === 0 ? `  chain ${chain.chainId}` : '';
      lines.push(`${prefix.padEnd(14)}${e.active ? '* ' : '  '}${e.endpoint}  ${state}${lag}${index === 0 ? failovers : ''}`);
    });
  }
  return lines;
}
