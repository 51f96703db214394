import { expect } from 'chai';
import { decodeEntity, EntityDecodeError } from '../../src/streams/entities';

const base = {
  id: 'x-0',
  blockNumber: '12',
  blockHash: `0x${'0b'.repeat(32)}`,
  blockTimestamp: '1700000000',
  contractAddress: `0x${'C0'.repeat(20)}`,
  transactionHash: `0x${'77'.repeat(32)}`,
  logIndex: '0',
};

describe('streamed entity decoders', () => {
  it('decodes graph-node JSON into typed values: BigInt strings to bigint, Bytes to lowercase hex', () => {
    const entity = decodeEntity('StateRootAvailable', { ...base, blockHeight: '40', stateRoot: `0x${'AB'.repeat(32)}` });
    expect(entity).to.deep.equal({
      id: 'x-0',
      blockNumber: 12n,
      blockHash: `0x${'0b'.repeat(32)}`,
      blockTimestamp: 1_700_000_000n,
      contractAddress: `0x${'c0'.repeat(20)}`,
      transactionHash: `0x${'77'.repeat(32)}`,
      logIndex: 0n,
      blockHeight: 40n,
      stateRoot: `0x${'ab'.repeat(32)}`,
    });
  });

  it('refuses a malformed entity naming its type, id and field', () => {
    expect(() => decodeEntity('StakeRevoked', { ...base, staker: '0x1234', stakeRequestHash: `0x${'11'.repeat(32)}` })).to.throw(
      EntityDecodeError,
      /StakeRevoked x-0: field staker is not a valid address/,
    );
    expect(() => decodeEntity('StateRootAvailable', { ...base, blockHeight: '-1', stateRoot: `0x${'ab'.repeat(32)}` })).to.throw(/field blockHeight is not a valid uint/);
    expect(() => decodeEntity('StateRootAvailable', { ...base, stateRoot: `0x${'ab'.repeat(32)}` })).to.throw(/field blockHeight .*got nothing/);
  });
});
