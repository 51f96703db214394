import { expect } from 'chai';
import { formatBigDecimal, parseBigDecimal } from '../../../src/indexer/wasm/big-decimal';

describe('BigDecimal codec', () => {
  it('prints digits × 10^exp in plain, normalized notation', () => {
    expect(formatBigDecimal(12345n, -2n)).to.equal('123.45');
    expect(formatBigDecimal(-5n, -3n)).to.equal('-0.005');
    expect(formatBigDecimal(1200n, -2n)).to.equal('12');
    expect(formatBigDecimal(12n, 3n)).to.equal('12000');
    expect(formatBigDecimal(0n, -7n)).to.equal('0');
    expect(formatBigDecimal(10n ** 40n + 1n, -40n)).to.equal(`1.${'0'.repeat(39)}1`);
  });

  it('parses decimal strings back into normalized digits and exponent', () => {
    expect(parseBigDecimal('123.45')).to.deep.equal({ digits: 12345n, exp: -2n });
    expect(parseBigDecimal('-0.0050')).to.deep.equal({ digits: -5n, exp: -3n });
    expect(parseBigDecimal('1.5e3')).to.deep.equal({ digits: 15n, exp: 2n });
    expect(parseBigDecimal('12000')).to.deep.equal({ digits: 12n, exp: 3n });
    expect(parseBigDecimal('0')).to.deep.equal({ digits: 0n, exp: 0n });
    expect(parseBigDecimal('.5')).to.deep.equal({ digits: 5n, exp: -1n });
    for (const text of ['123.45', '-0.005', '12000', '0', '98765432109876543210.0123456789']) {
      const { digits, exp } = parseBigDecimal(text);
      expect(formatBigDecimal(digits, exp)).to.equal(text);
    }
    expect(() => parseBigDecimal('1.2.3')).to.throw('not a decimal number');
    expect(() => parseBigDecimal('.')).to.throw('not a decimal number');
  });
});
