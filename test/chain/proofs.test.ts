import { expect } from 'chai';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex, hexToBytes } from 'web3-utils';
import { accountLeafValue, encodeParentNodes } from '../../src/chain/proofs';

describe('proof encoding', () => {
  const leafValue = bytesToHex(RLP.encode([hexToBytes('0x01'), hexToBytes('0x'), hexToBytes(`0x${'aa'.repeat(32)}`), hexToBytes(`0x${'bb'.repeat(32)}`)]));
  const leafNode = bytesToHex(RLP.encode([hexToBytes('0x20aabb'), hexToBytes(leafValue)]));
  const branchNode = bytesToHex(RLP.encode(Array.from({ length: 17 }, (_v, i) => (i === 3 ? hexToBytes(`0x${'cc'.repeat(32)}`) : new Uint8Array()))));

  it('encodes parent nodes as one RLP list of the decoded nodes', () => {
    const encoded = encodeParentNodes([branchNode, leafNode]);
    const decoded = RLP.decode(hexToBytes(encoded)) as Uint8Array[][];
    expect(decoded).to.have.length(2);
    expect(bytesToHex(RLP.encode(decoded[0]))).to.equal(branchNode);
    expect(bytesToHex(RLP.encode(decoded[1]))).to.equal(leafNode);
  });

  it('takes the account RLP from the value of the last (leaf) node', () => {
    expect(accountLeafValue([branchNode, leafNode])).to.equal(leafValue);
  });

  it('rejects an empty proof and a proof that does not end in a leaf', () => {
    expect(() => accountLeafValue([])).to.throw(/does not exist/);
    expect(() => accountLeafValue([branchNode])).to.throw(/leaf/);
  });
});
