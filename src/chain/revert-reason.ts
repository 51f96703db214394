import { decodeParameter } from 'web3-eth-abi';

/** Selector of Solidity's `Error(string)`. */
const ERROR_STRING_SELECTOR = '0x08c379a0';

/** Decodes `Error(string)` return data; undefined for anything else. */
export function decodeErrorString(data: string): string | undefined {
  if (!data.startsWith(ERROR_STRING_SELECTOR)) return undefined;
  try {
    return String(decodeParameter('string', `0x${data.slice(10)}`));
  } catch {
    return undefined;
  }
}

/**
 * Extracts a revert reason from a JSON-RPC error, whatever the node's dialect:
 * geth and anvil put the return data in `data`, other nodes in `data.result` and/or `data.reason`,
 * and both repeat the reason in the message.
 */
export function revertReasonOf(message: string, data: unknown): string | undefined {
  if (typeof data === 'string') {
    const reason = decodeErrorString(data);
    if (reason !== undefined) return reason;
  }
  if (data && typeof data === 'object') {
    const record = data as Record<string, unknown>;
    if (typeof record.reason === 'string' && record.reason.length > 0) return record.reason;
    if (typeof record.result === 'string') {
      const reason = decodeErrorString(record.result);
      if (reason !== undefined) return reason;
    }
    if (typeof record.data === 'string') {
      const reason = decodeErrorString(record.data);
      if (reason !== undefined) return reason;
    }
  }
  const fromMessage = /(?:reverted:|revert)\s+(.+)$/.exec(message);
  return fromMessage ? fromMessage[1].trim() : undefined;
}

/** True when a JSON-RPC error message says the EVM reverted (as opposed to a transport error). */
export function isRevertMessage(message: string): boolean {
  return /revert/i.test(message);
}
