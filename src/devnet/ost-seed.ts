import { encodeParameters } from 'web3-eth-abi';
import { keccak256 } from 'web3-utils';
import type { ChainClient } from '../chain/chain-client';

/** Storage layout of EIP20Token 0.12: slot 3 = totalSupply, mapping balances at slot 4. */
const TOTAL_SUPPLY_SLOT = 3n;
const BALANCES_SLOT = 4n;

function slotHex(slot: bigint): string {
  return `0x${slot.toString(16).padStart(64, '0')}`;
}

function valueHex(value: bigint): string {
  return `0x${value.toString(16).padStart(64, '0')}`;
}

export function balanceSlot(owner: string): string {
  return keccak256(encodeParameters(['address', 'uint256'], [owner, BALANCES_SLOT]));
}

/**
 * EIP20Token has no mint: the devnet writes balances straight into storage (anvil's
 * anvil_setStorageAt) and keeps totalSupply equal to their sum.
 */
export async function seedTokenBalances(
  client: ChainClient,
  token: string,
  balances: ReadonlyArray<{ owner: string; amount: bigint }>,
  nextBlock: () => Promise<void>,
): Promise<void> {
  let total = 0n;
  for (const { owner, amount } of balances) {
    total += amount;
    await client.rpc.request('anvil_setStorageAt', [token, balanceSlot(owner), valueHex(amount)]);
  }
  await client.rpc.request('anvil_setStorageAt', [token, slotHex(TOTAL_SUPPLY_SLOT), valueHex(total)]);
  // Storage writes take effect in the next block: wait for it so reads see them at once.
  await nextBlock();
}
