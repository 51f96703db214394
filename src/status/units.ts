/**
 * Amounts in units with their symbol, for people: `999999999987891326000000000` wei of OST is
 * `999,999,999.99 OST`. Exact: bigint arithmetic only (a float loses wei beyond 2^53).
 */

/** The coins and token a facilitator holds: origin's base coin, the value token on origin, the auxiliary base coin. */
export const SYMBOLS = { originCoin: 'ETH', valueToken: 'OST', auxiliaryCoin: 'OSTPrime' } as const;

/** Every amount here has 18 decimals (ETH, OST and OSTPrime alike). */
const DECIMALS = 18;

/** `1234567` → `1,234,567`. */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * `value` base units as a decimal with `fractionDigits` digits, rounded half up, thousands grouped.
 * A non-zero amount too small to show at that precision is shown in full (`0.000000000000001234`),
 * never as `0.00`: a worker with a few wei left is not a worker with none.
 */
export function formatUnits(value: bigint, fractionDigits = 2, decimals = DECIMALS): string {
  if (value < 0n) return `-${formatUnits(-value, fractionDigits, decimals)}`;
  const unit = 10n ** BigInt(decimals);
  const keep = Math.min(fractionDigits, decimals);
  const step = 10n ** BigInt(decimals - keep);
  const rounded = ((value + step / 2n) / step) * step;
  if (rounded === 0n && value > 0n) return exactUnits(value, decimals);
  const whole = groupThousands((rounded / unit).toString());
  if (keep === 0) return whole;
  const fraction = (rounded % unit).toString().padStart(decimals, '0').slice(0, keep);
  return `${whole}.${fraction}`;
}

/** Every digit, trailing zeros of the fraction dropped. */
function exactUnits(value: bigint, decimals: number): string {
  const unit = 10n ** BigInt(decimals);
  const fraction = (value % unit).toString().padStart(decimals, '0').replace(/0+$/, '');
  const whole = groupThousands((value / unit).toString());
  return fraction ? `${whole}.${fraction}` : whole;
}

/** `formatUnits` followed by the symbol: `12.50 OST`. */
export function formatAmount(value: bigint, symbol: string, fractionDigits = 2): string {
  return `${formatUnits(value, fractionDigits)} ${symbol}`;
}

/** The base coin's symbol of a chain: ETH on origin, OSTPrime on an auxiliary chain. */
export function coinSymbol(chainId: number, originChainId: number): string {
  return chainId === originChainId ? SYMBOLS.originCoin : SYMBOLS.auxiliaryCoin;
}

/** A worker's balances as `status` prints them: its chain's base coin, and OST on origin. */
export function formatWorkerBalances(worker: { chainId: number; balance: string; tokenBalance: string | null }, originChainId: number): string {
  const coin = `balance ${formatAmount(BigInt(worker.balance), coinSymbol(worker.chainId, originChainId))}`;
  return worker.tokenBalance === null ? coin : `${coin}  ${formatAmount(BigInt(worker.tokenBalance), SYMBOLS.valueToken)}`;
}
