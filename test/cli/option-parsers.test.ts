import { expect } from 'chai';
import { toChecksumAddress } from 'web3-utils';
import { formatTokenAmount, parseAddress, parsePort, parseTokenAmount } from '../../src/cli/option-parsers';

describe('CLI option parsers', () => {
  it('parses token amounts with up to 18 decimals and formats them back', () => {
    expect(parseTokenAmount('100')).to.equal(100n * 10n ** 18n);
    expect(parseTokenAmount('0.5')).to.equal(5n * 10n ** 17n);
    expect(formatTokenAmount(parseTokenAmount('12.25'))).to.equal('12.25');
    expect(() => parseTokenAmount('1e3')).to.throw(/token amount/);
    expect(() => parseTokenAmount(`1.${'1'.repeat(19)}`)).to.throw(/decimal places/);
  });

  it('accepts ports 0..65535 only', () => {
    expect(parsePort('0')).to.equal(0);
    expect(() => parsePort('70000')).to.throw(/TCP port/);
    expect(() => parsePort('-1')).to.throw(/whole number/);
  });

  it('accepts addresses all lowercase, all uppercase or EIP-55 checksummed, and refuses a mixed case that does not match', () => {
    const lower = '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed';
    const checksummed = toChecksumAddress(lower);
    expect(parseAddress(lower)).to.equal(lower);
    expect(parseAddress(`0x${lower.slice(2).toUpperCase()}`)).to.equal(lower);
    expect(parseAddress(checksummed)).to.equal(lower);
    const mistyped = checksummed.replace('A', 'a');
    expect(() => parseAddress(mistyped)).to.throw(/bad EIP-55 checksum/);
    expect(() => parseAddress('0xabc')).to.throw(/20-byte/);
  });
});
