import type { ChainClient, RpcReceipt } from './chain-client';
import { RetryableError } from '../errors/facilitator-error';
import { DEFAULTS } from '../facilitator/defaults';

/**
 * Polls for a receipt until it appears or the timeout passes. The first look is immediate and the
 * interval grows from 5 ms to `pollMs`: instamining chains answer at once, real chains take seconds.
 */
export async function waitForReceipt(
  client: ChainClient,
  hash: string,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<RpcReceipt> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? DEFAULTS.chain.receiptPollMs;
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    const receipt = await client.getReceipt(hash);
    if (receipt && receipt.blockNumber) return receipt;
    if (Date.now() > deadline) {
      throw new RetryableError(`transaction ${hash} on chain ${client.chainId} not mined within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, pollMs);
  }
}
