import { Common, FeeMarketEIP1559Transaction, Hardfork, Transaction, privateKeyToAddress } from 'web3-eth-accounts';
import { bytesToHex, hexToBytes } from 'web3-utils';
import type { Fees } from './fees';

export interface UnsignedTransaction {
  nonce: bigint;
  fees: Fees;
  gasLimit: bigint;
  to?: string;
  value?: bigint;
  data: string;
}

export interface SignedTransaction {
  raw: string;
  hash: string;
}

/**
 * Holds one private key and signs transactions for one chain: type 2 (EIP-1559) or EIP-155 legacy,
 * as the fees say. Signed under London rules: web3 v4's Common throws on Shanghai contract creations
 * (EIP-3860 parameter missing), and the signature does not depend on later hardforks.
 * The key is kept in a private field and never serialized.
 */
export class LocalSigner {
  readonly address: string;
  readonly #privateKey: Uint8Array;

  constructor(privateKey: string) {
    this.#privateKey = hexToBytes(privateKey);
    this.address = privateKeyToAddress(this.#privateKey).toLowerCase();
  }

  sign(tx: UnsignedTransaction, chainId: number): SignedTransaction {
    const common = Common.custom({ chainId, networkId: chainId }, { hardfork: Hardfork.London });
    const fields = { nonce: tx.nonce, gasLimit: tx.gasLimit, to: tx.to, value: tx.value ?? 0n, data: tx.data };
    const unsigned =
      tx.fees.type === 'eip1559'
        ? FeeMarketEIP1559Transaction.fromTxData(
            { ...fields, chainId: BigInt(chainId), maxFeePerGas: tx.fees.maxFeePerGas, maxPriorityFeePerGas: tx.fees.maxPriorityFeePerGas },
            { common },
          )
        : Transaction.fromTxData({ ...fields, gasPrice: tx.fees.gasPrice }, { common });
    const signed = unsigned.sign(this.#privateKey);
    return { raw: bytesToHex(signed.serialize()), hash: bytesToHex(signed.hash()) };
  }

  /** Keeps the key out of console.log / JSON output. */
  toJSON(): { address: string } {
    return { address: this.address };
  }
}
