import { InvalidArgumentError, Option } from 'commander';
import { ADDRESS_PATTERN, isAddress } from '../config/validation';
import { LOG_FORMATS } from '../logging/logger';

/** commander parsers: each rejects bad input with a message saying what is expected. */

export function parseNonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number (0, 1, 2, ...).');
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new InvalidArgumentError('number too large.');
  return parsed;
}

export function parsePositiveInteger(value: string): number {
  const parsed = parseNonNegativeInteger(value);
  if (parsed === 0) throw new InvalidArgumentError('expected a number greater than 0.');
  return parsed;
}

export function parsePort(value: string): number {
  const parsed = parseNonNegativeInteger(value);
  if (parsed > 65535) throw new InvalidArgumentError('expected a TCP port between 0 and 65535 (0 picks a free one).');
  return parsed;
}

export function parseChainId(value: string): number {
  const parsed = parsePositiveInteger(value);
  return parsed;
}

/** Comma-separated auxiliary chain ids, each once: `1405,1406`. */
export function parseChainIdList(value: string): number[] {
  const ids = value.split(',').map((part) => part.trim());
  if (ids.some((id) => !/^\d+$/.test(id) || Number(id) === 0 || !Number.isSafeInteger(Number(id)))) {
    throw new InvalidArgumentError('expected chain ids separated by commas, e.g. 1405,1406.');
  }
  const parsed = ids.map(Number);
  const repeated = parsed.find((id, index) => parsed.indexOf(id) !== index);
  if (repeated !== undefined) throw new InvalidArgumentError(`chain ${repeated} is listed twice.`);
  return parsed;
}

export function parseBigInt(value: string): bigint {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number in base units (e.g. 1000000000).');
  return BigInt(value);
}

/** Decimal token amount ("100", "0.5") to base units with `decimals` decimals. */
export function parseTokenAmount(value: string, decimals = 18): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected a token amount such as 100 or 0.5.');
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) throw new InvalidArgumentError(`at most ${decimals} decimal places.`);
  return BigInt(match[1]) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

export function parseAddress(value: string): string {
  if (!isAddress(value)) {
    throw new InvalidArgumentError(
      ADDRESS_PATTERN.test(value) ? 'bad EIP-55 checksum (its mixed case does not match the address): copy it again, or write it all lowercase.' : 'expected a 20-byte 0x-prefixed hex address.',
    );
  }
  return value.toLowerCase();
}

export function formatTokenAmount(value: bigint, decimals = 18): string {
  const unit = 10n ** BigInt(decimals);
  const whole = value / unit;
  const fraction = (value % unit).toString().padStart(decimals, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole.toString();
}

/**
 * An option whose default is a bigint: commander prints a default in --help with JSON.stringify, which
 * throws on a bigint, so the help shows `shown` instead (token amounts in OST, gas in decimal).
 */
export function bigintOption(flags: string, description: string, parse: (value: string) => bigint, value: bigint, shown = value.toString()): Option {
  return new Option(flags, description).argParser(parse).default(value, shown);
}

/** --log-format, alike on every command that logs: pretty (readable lines) or json (one object per line). */
export function logFormatOption(where = 'default: pretty when stderr is a terminal, json otherwise'): Option {
  return new Option('--log-format <format>', `log lines: pretty (readable) or json (one object per line); ${where}`).choices(LOG_FORMATS);
}
