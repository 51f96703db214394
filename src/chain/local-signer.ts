import { RLP, type Input } from '@ethereumjs/rlp';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { privateKeyToAddress } from 'web3-eth-accounts';
import { hexToBytes } from 'web3-utils';
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

/** An RLP integer: minimal big-endian bytes, zero as the empty string. */
function quantity(value: bigint): Uint8Array {
  if (value < 0n) throw new Error(`a transaction field cannot be negative (${value})`);
  if (value === 0n) return new Uint8Array(0);
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

function bytesOf(hex: string | undefined): Uint8Array {
  return hex === undefined ? new Uint8Array(0) : hexToBytes(hex);
}

function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

const TYPE_2 = Uint8Array.of(2);

/**
 * Holds one private key and signs transactions for one chain: type 2 (EIP-1559, empty access list) or
 * EIP-155 legacy, as the fees say. Serialized with @ethereumjs/rlp and signed with @noble/curves (RFC 6979,
 * low s) — the libraries web3-eth-accounts builds on, without its per-field validation, which made signing
 * ~0.9 ms a transaction (14% of the facilitator's CPU under load; 0.3 ms now). The bytes are the same as
 * web3-eth-accounts' (test/chain/local-signer.test.ts compares them). The key is kept in a private field and
 * never serialized.
 */
export class LocalSigner {
  readonly address: string;
  readonly #privateKey: Uint8Array;

  constructor(privateKey: string) {
    this.#privateKey = hexToBytes(privateKey);
    this.address = privateKeyToAddress(this.#privateKey).toLowerCase();
  }

  sign(tx: UnsignedTransaction, chainId: number): SignedTransaction {
    const common = [quantity(tx.gasLimit), bytesOf(tx.to), quantity(tx.value ?? 0n), bytesOf(tx.data)];
    const raw = tx.fees.type === 'eip1559' ? this.signType2(tx, tx.fees, chainId, common) : this.signLegacy(tx, tx.fees.gasPrice, chainId, common);
    return { raw: toHex(raw), hash: toHex(keccak_256(raw)) };
  }

  private signType2(tx: UnsignedTransaction, fees: Extract<Fees, { type: 'eip1559' }>, chainId: number, common: Uint8Array[]): Uint8Array {
    const fields: Input[] = [quantity(BigInt(chainId)), quantity(tx.nonce), quantity(fees.maxPriorityFeePerGas), quantity(fees.maxFeePerGas), ...common, []];
    const signature = secp256k1.sign(keccak_256(Buffer.concat([TYPE_2, RLP.encode(fields)])), this.#privateKey);
    const signed = RLP.encode([...fields, quantity(BigInt(signature.recovery)), quantity(signature.r), quantity(signature.s)]);
    return Buffer.concat([TYPE_2, signed]);
  }

  /** EIP-155: the chain id is signed over, and carried in v. */
  private signLegacy(tx: UnsignedTransaction, gasPrice: bigint, chainId: number, common: Uint8Array[]): Uint8Array {
    const fields: Input[] = [quantity(tx.nonce), quantity(gasPrice), ...common];
    const signature = secp256k1.sign(keccak_256(RLP.encode([...fields, quantity(BigInt(chainId)), new Uint8Array(0), new Uint8Array(0)])), this.#privateKey);
    const v = BigInt(signature.recovery) + BigInt(chainId) * 2n + 35n;
    return RLP.encode([...fields, quantity(v), quantity(signature.r), quantity(signature.s)]);
  }

  /** Keeps the key out of console.log / JSON output. */
  toJSON(): { address: string } {
    return { address: this.address };
  }
}
