/**
 * BigDecimal as graph-ts holds it (digits × 10^exp) <-> its decimal string, normalized (no trailing
 * zeros, plain notation) the way graph-node prints it.
 */

export interface DecimalParts {
  digits: bigint;
  exp: bigint;
}

function normalize(digits: bigint, exp: bigint): DecimalParts {
  if (digits === 0n) return { digits: 0n, exp: 0n };
  while (digits % 10n === 0n) {
    digits /= 10n;
    exp += 1n;
  }
  return { digits, exp };
}

export function formatBigDecimal(rawDigits: bigint, rawExp: bigint): string {
  const { digits, exp } = normalize(rawDigits, rawExp);
  const sign = digits < 0n ? '-' : '';
  const magnitude = (digits < 0n ? -digits : digits).toString();
  if (exp >= 0n) return digits === 0n ? '0' : `${sign}${magnitude}${'0'.repeat(Number(exp))}`;
  const scale = Number(-exp);
  const padded = magnitude.padStart(scale + 1, '0');
  return `${sign}${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
}

export function parseBigDecimal(text: string): DecimalParts {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new Error(`not a decimal number: ${text}`);
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  const magnitude = BigInt(`${whole}${fraction}` || '0');
  return normalize(sign === '-' ? -magnitude : magnitude, BigInt(exponent) - BigInt(fraction.length));
}
