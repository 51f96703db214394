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
 * The revert reason carried by a JSON-RPC error's `data`, whatever the node's dialect: geth and anvil
 * put the return data in `data`, other nodes in `data.result`, `data.data` and/or `data.reason`.
 * (Reading it from the message text is node-errors.ts's job: node wordings live there only.)
 */
export function revertReasonInData(data: unknown): string | undefined {
  if (typeof data === 'string') return decodeErrorString(data);
  if (!data || typeof data !== 'object') return undefined;
  const record = data as Record<string, unknown>;
  if (typeof record.reason === 'string' && record.reason.length > 0) return record.reason;
  for (const nested of [record.result, record.data]) {
    const reason = typeof nested === 'string' ? decodeErrorString(nested) : undefined;
    if (reason !== undefined) return reason;
  }
  return undefined;
}
