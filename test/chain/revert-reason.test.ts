import { expect } from 'chai';
import { encodeParameter } from 'web3-eth-abi';
import { revertReasonOf } from '../../src/chain/node-errors';
import { decodeErrorString } from '../../src/chain/revert-reason';

describe('revert reasons', () => {
  const errorData = `0x08c379a0${encodeParameter('string', 'Stake request must exists.').slice(2)}`;

  it('decodes Error(string) return data', () => {
    expect(decodeErrorString(errorData)).to.equal('Stake request must exists.');
    expect(decodeErrorString('0x')).to.equal(undefined);
  });

  it('reads the reason from geth-style, nested-data-style and message-only errors', () => {
    expect(revertReasonOf('execution reverted: Stake request must exists.', errorData)).to.equal('Stake request must exists.');
    expect(revertReasonOf('VM Exception', { reason: 'Incorrect staker nonce.' })).to.equal('Incorrect staker nonce.');
    expect(revertReasonOf('VM Exception', { result: errorData })).to.equal('Stake request must exists.');
    expect(revertReasonOf('VM Exception while processing transaction: revert Bad thing.', '0x')).to.equal('Bad thing.');
    expect(revertReasonOf('VM Exception while processing transaction: revert', '0x')).to.equal(undefined);
  });
});
