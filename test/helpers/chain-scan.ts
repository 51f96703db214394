import type { ChainClient } from '../../src/chain/chain-client';
import { toQuantity } from '../../src/chain/chain-client';
import { contractInterface } from '../../src/mosaic/contracts';
import type { MosaicContractName } from '../../src/mosaic/artifacts';

export interface ScannedTransaction {
  hash: string;
  from: string;
  to: string | null;
  method: string | undefined;
  input: string;
  /** '0x0' legacy, '0x2' EIP-1559. */
  type: string;
  success: boolean;
  blockNumber: number;
}

/**
 * Every transaction in every block of a chain, with the Mosaic method it calls (decoded from the
 * selector against the contracts given), and whether it succeeded: the outcome read from chain state.
 */
export async function scanTransactions(
  client: ChainClient,
  contracts: Record<string, MosaicContractName>,
): Promise<ScannedTransaction[]> {
  const selectors = new Map<string, Map<string, string>>();
  for (const [address, name] of Object.entries(contracts)) {
    const iface = contractInterface(name);
    const byAddress = new Map<string, string>();
    for (const fragment of iface.abi) {
      if (fragment.type === 'function' && 'name' in fragment && fragment.name) byAddress.set(iface.selector(fragment.name), fragment.name);
    }
    selectors.set(address.toLowerCase(), byAddress);
  }
  const head = Number(await client.blockNumber());
  const result: ScannedTransaction[] = [];
  for (let number = 0; number <= head; number++) {
    const block = await client.rpc.request<{ transactions: Array<{ hash: string; from: string; to: string | null; input: string; type: string }> }>(
      'eth_getBlockByNumber',
      [toQuantity(number), true],
    );
    for (const tx of block.transactions) {
      const receipt = await client.getReceipt(tx.hash);
      const to = tx.to?.toLowerCase() ?? null;
      result.push({
        hash: tx.hash,
        from: tx.from.toLowerCase(),
        to,
        method: to ? selectors.get(to)?.get(tx.input.slice(0, 10)) : undefined,
        input: tx.input,
        type: tx.type,
        success: receipt?.status === '0x1',
        blockNumber: number,
      });
    }
  }
  return result;
}
