import { expect } from 'chai';
import { formatTokenAmount, parsePort, parseTokenAmount } from '../../src/cli/option-parsers';

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
});
