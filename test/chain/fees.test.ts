import { expect } from 'chai';
import { ChainClient } from '../../src/chain/chain-client';
import { eip1559Fees, FeeOracle, legacyFees, replacementFees, type Fees } from '../../src/chain/fees';
import { FakeJsonRpc } from '../fakes/fake-json-rpc';

const GWEI = 1_000_000_000n;
const type2 = (maxFeePerGas: bigint, maxPriorityFeePerGas: bigint): Fees => ({ type: 'eip1559', maxFeePerGas, maxPriorityFeePerGas });

describe('fees', () => {
  describe('a new type-2 transaction', () => {
    it('offers 2 × the next base fee + the tip, and the tip as priority fee', () => {
      expect(eip1559Fees(10n * GWEI, 2n * GWEI, undefined)).to.deep.equal({ fees: type2(22n * GWEI, 2n * GWEI) });
    });
    it('lowers maxFeePerGas to the cap while the cap still covers the next block', () => {
      expect(eip1559Fees(10n * GWEI, 2n * GWEI, 15n * GWEI)).to.deep.equal({ fees: type2(15n * GWEI, 2n * GWEI) });
    });
    it('waits when the cap is below next base fee + tip', () => {
      expect(eip1559Fees(10n * GWEI, 2n * GWEI, 11n * GWEI)).to.deep.equal({ waiting: { neededPerGas: 12n * GWEI, capPerGas: 11n * GWEI } });
    });
  });

  describe('a new legacy transaction', () => {
    it('pays the node gas price, or waits above the cap', () => {
      expect(legacyFees(5n, undefined)).to.deep.equal({ fees: { type: 'legacy', gasPrice: 5n } });
      expect(legacyFees(5n, 4n)).to.deep.equal({ waiting: { neededPerGas: 5n, capPerGas: 4n } });
    });
  });

  describe('a replacement at the same nonce', () => {
    it('raises both fields by at least 12.5% when the market did not move', () => {
      const next = replacementFees(type2(100n, 10n), type2(100n, 10n), undefined);
      if (!('fees' in next) || next.fees.type !== 'eip1559') throw new Error('expected type-2 fees');
      expect(next.fees.maxFeePerGas * 1000n >= 100n * 1125n).to.equal(true);
      expect(next.fees.maxPriorityFeePerGas * 1000n >= 10n * 1125n).to.equal(true);
    });
    it('follows the market when it rose more than the bump (a base fee raised under a pending transaction)', () => {
      expect(replacementFees(type2(100n, 10n), type2(500n, 30n), undefined)).to.deep.equal({ fees: type2(500n, 30n) });
    });
    it('bumps a zero tip to at least 1 wei and keeps the tip under maxFeePerGas', () => {
      const next = replacementFees(type2(1n, 0n), type2(1n, 0n), undefined);
      if (!('fees' in next) || next.fees.type !== 'eip1559') throw new Error('expected type-2 fees');
      expect(next.fees.maxPriorityFeePerGas > 0n).to.equal(true);
      expect(next.fees.maxPriorityFeePerGas <= next.fees.maxFeePerGas).to.equal(true);
    });
    it('waits instead of going past the cap', () => {
      expect(replacementFees(type2(100n, 10n), type2(100n, 10n), 110n)).to.deep.equal({ waiting: { neededPerGas: 114n, capPerGas: 110n } });
    });
    it('bumps a legacy gas price by at least 12.5%', () => {
      const next = replacementFees({ type: 'legacy', gasPrice: 1000n }, { type: 'legacy', gasPrice: 900n }, undefined);
      if (!('fees' in next) || next.fees.type !== 'legacy') throw new Error('expected legacy fees');
      expect(next.fees.gasPrice >= 1125n).to.equal(true);
    });
  });

  describe('what a transaction is expected to pay per gas (profitability)', () => {
    it('type 2: the next base fee plus the tip, not maxFeePerGas, and whatever the cap', async () => {
      const rpc = new FakeJsonRpc(1);
      rpc.fees = { baseFee: 10n * GWEI, priority: 2n * GWEI, gasPrice: 50n * GWEI };
      expect(await new FeeOracle(new ChainClient(rpc, 1), 'auto', 1n).expectedPerGas()).to.equal(12n * GWEI);
    });

    it('legacy: the node\'s gas price', async () => {
      const rpc = new FakeJsonRpc(1);
      rpc.fees = { priority: 0n, gasPrice: 3n * GWEI };
      expect(await new FeeOracle(new ChainClient(rpc, 1)).expectedPerGas()).to.equal(3n * GWEI);
    });
  });
});
