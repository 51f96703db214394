import type { ChainClient, RpcReceipt } from './chain-client';
import { FacilitatorError } from './errors';

/** Polls for a receipt until it appears or the timeout passes. */
export async function waitForReceipt(
  client: ChainClient,
  hash: string,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<RpcReceipt> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const receipt = await client.getReceipt(hash);
    if (receipt && receipt.blockNumber) return receipt;
    if (Date.now() > deadline) {
      throw new FacilitatorError(`transaction ${hash} on chain ${client.chainId} not mined within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
