import { Common, Hardfork, Transaction, privateKeyToAddress } from 'web3-eth-accounts';
import { bytesToHex, hexToBytes } from 'web3-utils';

export interface UnsignedLegacyTransaction {
  nonce: bigint;
  gasPrice: bigint;
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
 * Holds one private key and signs EIP-155 legacy transactions for one chain.
 * Legacy (gasPrice) transactions keep replacement by gas bump simple and work on every EVM chain.
 * Signed under London rules: web3 v4's Common throws on Shanghai contract creations (EIP-3860
 * parameter missing), and the signature does not depend on the hardfork.
 * The key is kept in a private field and never serialized.
 */
export class LocalSigner {
  readonly address: string;
  readonly #privateKey: Uint8Array;

  constructor(privateKey: string) {
    this.#privateKey = hexToBytes(privateKey);
    this.address = privateKeyToAddress(this.#privateKey).toLowerCase();
  }

  sign(tx: UnsignedLegacyTransaction, chainId: number): SignedTransaction {
    const common = Common.custom({ chainId, networkId: chainId }, { hardfork: Hardfork.London });
    const unsigned = Transaction.fromTxData(
      { nonce: tx.nonce, gasPrice: tx.gasPrice, gasLimit: tx.gasLimit, to: tx.to, value: tx.value ?? 0n, data: tx.data },
      { common },
    );
    const signed = unsigned.sign(this.#privateKey);
    return { raw: bytesToHex(signed.serialize()), hash: bytesToHex(signed.hash()) };
  }

  /** Keeps the key out of console.log / JSON output. */
  toJSON(): { address: string } {
    return { address: this.address };
  }
}
