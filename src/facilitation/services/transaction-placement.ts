import type { ChainClient } from '../../chain/chain-client';

/**
 * Where a node has a transaction: `mined` (it has a receipt), `pending` (known, in no block yet: a
 * reorganised transaction a node put back in its pool, as geth does), or `gone` (neither: its block
 * was reorganised away and the transaction dropped, as anvil does, or it never existed).
 */
export type TransactionPlacement = 'mined' | 'pending' | 'gone';

export async function transactionPlacement(client: ChainClient, hash: string): Promise<TransactionPlacement> {
  if (await client.getReceipt(hash)) return 'mined';
  const known = await client.rpc.request<{ blockNumber: string | null } | null>('eth_getTransactionByHash', [hash]);
  return known ? 'pending' : 'gone';
}

/** The reason recorded for a stake request whose StakeRequested was reorganised away. */
export function orphanedRequestReason(transactionHash: string): string {
  return `the stake request was reorganised away: its transaction ${transactionHash} is no longer on the chain`;
}
