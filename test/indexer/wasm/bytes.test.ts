import { expect } from 'chai';
import { bigIntToSignedLE, bytesToHex, hexToBytes, signedLEToBigInt } from '../../../src/indexer/wasm/bytes';

describe('WASM host byte codecs', () => {
  it('converts hex and bytes, refusing what is not hex bytes', () => {
    expect(bytesToHex(hexToBytes('0xABcd01'))).to.equal('0xabcd01');
    expect(bytesToHex(hexToBytes('0x'))).to.equal('0x');
    expect(bytesToHex(new Uint8Array([1, 2, 3]).subarray(1))).to.equal('0x0203');
    expect(() => hexToBytes('0xabc')).to.throw('not a hex byte string');
    expect(() => hexToBytes('0xzz')).to.throw('not a hex byte string');
  });

  it('writes BigInt as minimal little-endian two\'s complement, like num-bigint', () => {
    const cases: Array<[bigint, string]> = [
      [0n, '00'],
      [1n, '01'],
      [127n, '7f'],
      [128n, '8000'],
      [255n, 'ff00'],
      [0x7fffffffn, 'ffffff7f'],
      [0x80000000n, '0000008000'],
      [-1n, 'ff'],
      [-128n, '80'],
      [-129n, '7fff'],
      [-32768n, '0080'],
      [2n ** 256n - 1n, `${'ff'.repeat(32)}00`],
      [-(2n ** 255n), `${'00'.repeat(31)}80`],
    ];
    for (const [value, hex] of cases) {
      expect(Buffer.from(bigIntToSignedLE(value)).toString('hex'), String(value)).to.equal(hex);
      expect(signedLEToBigInt(bigIntToSignedLE(value))).to.equal(value);
    }
    for (let value = -70_000n; value <= 70_000n; value += 7n) expect(signedLEToBigInt(bigIntToSignedLE(value))).to.equal(value);
    expect(signedLEToBigInt(new Uint8Array(0))).to.equal(0n);
    expect(signedLEToBigInt(new Uint8Array([0xff, 0xff, 0x00]))).to.equal(65535n);
  });
});
