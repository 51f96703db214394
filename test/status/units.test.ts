import { expect } from 'chai';
import { coinSymbol, formatAmount, formatUnits, formatWorkerBalances } from '../../src/status/units';

describe('amounts in units', () => {
  it('shows a large OST balance with two decimals, grouped, rounded half up', () => {
    expect(formatAmount(999999999987891326000000000n, 'OST')).to.equal('999,999,999.99 OST');
    expect(formatUnits(1_234_567_894_999_999_999_999_999n)).to.equal('1,234,567.89');
    expect(formatUnits(1_234_567_895_000_000_000_000_000n)).to.equal('1,234,567.90');
  });

  it('is exact beyond what a float holds', () => {
    // 2^53 + 1 wei with 18 decimals: a Number would lose the last digit.
    expect(formatUnits(9007199254740993n, 18, 0)).to.equal('9,007,199,254,740,993');
    expect(formatUnits(123456789012345678901234567890n, 18, 18)).to.equal('123,456,789,012.345678901234567890');
  });

  it('whole amounts keep their decimals; zero is 0.00', () => {
    expect(formatUnits(100n * 10n ** 18n)).to.equal('100.00');
    expect(formatUnits(0n)).to.equal('0.00');
    expect(formatUnits(5n * 10n ** 17n, 0)).to.equal('1');
  });

  it('a few wei are shown in full, never as 0.00', () => {
    expect(formatUnits(1234n)).to.equal('0.000000000000001234');
    expect(formatUnits(4_999_999_999_999_999n)).to.equal('0.004999999999999999');
    expect(formatUnits(5_000_000_000_000_000n)).to.equal('0.01');
  });

  it('negative amounts keep their sign', () => {
    expect(formatUnits(-15n * 10n ** 17n)).to.equal('-1.50');
  });

  it('names the base coin of each chain and OST on origin', () => {
    expect(coinSymbol(1337, 1337)).to.equal('ETH');
    expect(coinSymbol(1405, 1337)).to.equal('OSTPrime');
    expect(formatWorkerBalances({ chainId: 1337, balance: '2500000000000000000', tokenBalance: '999999999987891326000000000' }, 1337)).to.equal(
      'balance 2.50 ETH  999,999,999.99 OST',
    );
    expect(formatWorkerBalances({ chainId: 1405, balance: '1000000000000000000000', tokenBalance: null }, 1337)).to.equal('balance 1,000.00 OSTPrime');
  });
});
