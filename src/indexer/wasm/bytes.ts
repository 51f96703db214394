/** Hex <-> bytes for 0x-prefixed strings (Buffer's codec: the fast path in Node). */

export function hexToBytes(hex: string): Uint8Array {
  const body = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  // Buffer's hex codec stops at the first pair that is not hex: a short result is the invalid case.
  const buffer = body.length % 2 === 0 ? Buffer.from(body, 'hex') : undefined;
  if (!buffer || buffer.length * 2 !== body.length) throw new Error(`not a hex byte string: ${hex.slice(0, 80)}`);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

/** Lowercase 0x-hex. */
export function bytesToHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** Minimal little-endian two's complement, as graph-node passes BigInt (num-bigint's to_signed_bytes_le). */
export function bigIntToSignedLE(value: bigint): Uint8Array {
  if (value >= 0n && value < 0x80000000n) return smallToSignedLE(Number(value));
  let hex = (value < 0n ? -value : value).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let byteLength = hex.length / 2;
  // One more byte when the top bit would read as a sign bit (or for the most negative values' edge).
  if (value >= 0n && BigInt(`0x${hex}`) >= 1n << BigInt(byteLength * 8 - 1)) byteLength++;
  if (value < 0n && -value > 1n << BigInt(byteLength * 8 - 1)) byteLength++;
  const twos = BigInt.asUintN(byteLength * 8, value).toString(16).padStart(byteLength * 2, '0');
  const buffer = Buffer.from(twos, 'hex').reverse();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Reads a little-endian two's complement integer of any length (empty = 0). */
export function signedLEToBigInt(bytes: Uint8Array): bigint {
  return signedLEAt(bytes, 0, bytes.length);
}

/**
 * The little-endian two's complement integer in `length` bytes of `memory` from `start`, read in place:
 * as a number up to 6 bytes (block numbers, log indexes, timestamps), through hex beyond.
 */
export function signedLEAt(memory: Uint8Array, start: number, length: number): bigint {
  if (length === 0) return 0n;
  if (length <= 6) {
    let value = 0;
    for (let i = length - 1; i >= 0; i--) value = value * 256 + memory[start + i];
    return BigInt(memory[start + length - 1] & 0x80 ? value - 2 ** (8 * length) : value);
  }
  let hex = '0x';
  for (let i = length - 1; i >= 0; i--) hex += HEX_BYTES[memory[start + i]];
  return BigInt.asIntN(length * 8, BigInt(hex));
}

/** Fast path for 0 <= value < 2^31 (log indexes, block numbers, timestamps). */
function smallToSignedLE(value: number): Uint8Array {
  const byteLength = value < 0x80 ? 1 : value < 0x8000 ? 2 : value < 0x800000 ? 3 : 4;
  const bytes = new Uint8Array(byteLength);
  for (let i = 0; i < byteLength; i++) bytes[i] = (value >>> (8 * i)) & 0xff;
  return bytes;
}
