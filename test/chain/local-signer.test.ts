import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Common, FeeMarketEIP1559Transaction, Hardfork, Transaction } from 'web3-eth-accounts';
import { bytesToHex, hexToBytes } from 'web3-utils';
import type { Fees } from '../../src/chain/fees';
import { LocalSigner, type UnsignedTransaction } from '../../src/chain/local-signer';

/** What web3-eth-accounts (the reference serializer) signs for the same transaction. */
function referenceSign(privateKey: string, tx: UnsignedTransaction, chainId: number): { raw: string; hash: string } {
  const common = Common.custom({ chainId, networkId: chainId }, { hardfork: Hardfork.London });
  const fields = { nonce: tx.nonce, gasLimit: tx.gasLimit, to: tx.to, value: tx.value ?? 0n, data: tx.data };
  const unsigned =
    tx.fees.type === 'eip1559'
      ? FeeMarketEIP1559Transaction.fromTxData({ ...fields, chainId: BigInt(chainId), maxFeePerGas: tx.fees.maxFeePerGas, maxPriorityFeePerGas: tx.fees.maxPriorityFeePerGas }, { common })
      : Transaction.fromTxData({ ...fields, gasPrice: tx.fees.gasPrice }, { common });
  const signed = unsigned.sign(hexToBytes(privateKey));
  return { raw: bytesToHex(signed.serialize()), hash: bytesToHex(signed.hash()) };
}

const big = (bytes: number): bigint => (bytes === 0 ? 0n : BigInt(`0x${randomBytes(bytes).toString('hex')}`));

function randomTransaction(i: number): UnsignedTransaction {
  const fees: Fees = i % 2 === 0 ? { type: 'eip1559', maxFeePerGas: big(8), maxPriorityFeePerGas: i % 3 === 0 ? 0n : big(4) } : { type: 'legacy', gasPrice: i % 5 === 0 ? 0n : big(6) };
  return {
    nonce: i % 7 === 0 ? 0n : big(i % 4),
    fees,
    gasLimit: big(3),
    to: i % 11 === 0 ? undefined : `0x${randomBytes(20).toString('hex')}`,
    value: i % 3 === 1 ? big(16) : 0n,
    data: `0x${randomBytes(i % 9 === 0 ? 0 : 1 + (i % 700)).toString('hex')}`,
  };
}

describe('LocalSigner', () => {
  it('signs type 2 and EIP-155 legacy transactions to the same bytes and hash as web3-eth-accounts (zero fields, contract creation, long data)', () => {
    for (let i = 0; i < 200; i++) {
      const key = `0x${randomBytes(32).toString('hex')}`;
      const chainId = [1, 1405, 1406, 137, 2 ** 31 - 1][i % 5];
      const tx = randomTransaction(i);
      expect(new LocalSigner(key).sign(tx, chainId), `transaction ${i} (${tx.fees.type})`).to.deep.equal(referenceSign(key, tx, chainId));
    }
  });

  it('refuses a negative field instead of signing something else', () => {
    const signer = new LocalSigner(`0x${'11'.repeat(32)}`);
    expect(() => signer.sign({ nonce: -1n, fees: { type: 'legacy', gasPrice: 1n }, gasLimit: 21_000n, data: '0x' }, 1)).to.throw(/cannot be negative/);
  });

  it('never shows its key: JSON holds the address only', () => {
    const key = `0x${'42'.repeat(32)}`;
    const signer = new LocalSigner(key);
    expect(JSON.stringify(signer)).to.equal(JSON.stringify({ address: signer.address }));
    expect(JSON.stringify(signer)).not.to.include('42'.repeat(32));
  });
});
