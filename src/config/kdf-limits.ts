/* Keystore key-derivation parameters: what new keystores use, and what a loaded one may ask for. */

/**
 * scrypt cost of new keystores: N = 2^18, r = 8, p = 1 (geth's "standard" parameters; ~1.7 s and
 * 256 MiB per unlock in this process) — an offline guess of the password costs as much.
 */
export const SCRYPT_N = 262_144;
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;

/**
 * Bounds on the KDF parameters of a keystore being loaded: a hostile or corrupt config must not make
 * `start` derive keys for hours or allocate gigabytes. They admit every standard keystore (scrypt
 * N ≤ 2^18 with r = 8, geth's and web3's older 8192, pbkdf2 up to 2^18 rounds and a margin above).
 */
export const KDF_LIMITS = {
  /** 128·N·r bytes of scrypt memory at most (N = 2^18, r = 8 needs exactly this). */
  scryptMemoryBytes: 256 * 1024 * 1024,
  /** N·r·p, the scrypt work, at most twice the default's. */
  scryptWork: 2 * SCRYPT_N * SCRYPT_R * SCRYPT_P,
  maxR: 32,
  maxP: 16,
  pbkdf2MaxRounds: 4_194_304,
  minDklen: 32,
  maxDklen: 64,
} as const;

const isPositiveInteger = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

/**
 * Why the keystore's KDF parameters must not be used, or undefined when they are within KDF_LIMITS.
 * Checked before any key derivation.
 */
export function kdfParamsProblem(crypto: Record<string, unknown>): string | undefined {
  const params = crypto.kdfparams as Record<string, unknown> | undefined;
  if (!params || typeof params !== 'object') return 'kdfparams is missing';
  const { dklen } = params;
  if (!isPositiveInteger(dklen) || dklen < KDF_LIMITS.minDklen || dklen > KDF_LIMITS.maxDklen) {
    return `kdfparams.dklen must be an integer from ${KDF_LIMITS.minDklen} to ${KDF_LIMITS.maxDklen} (got ${String(dklen)})`;
  }
  if (crypto.kdf === 'scrypt') {
    const { n, r, p } = params;
    if (!isPositiveInteger(n) || n < 2 || (n & (n - 1)) !== 0) return `kdfparams.n must be a power of two ≥ 2 (got ${String(n)})`;
    if (!isPositiveInteger(r) || r > KDF_LIMITS.maxR) return `kdfparams.r must be an integer from 1 to ${KDF_LIMITS.maxR} (got ${String(r)})`;
    if (!isPositiveInteger(p) || p > KDF_LIMITS.maxP) return `kdfparams.p must be an integer from 1 to ${KDF_LIMITS.maxP} (got ${String(p)})`;
    if (128 * n * r > KDF_LIMITS.scryptMemoryBytes) {
      return `scrypt n=${n}, r=${r} would need ${Math.round((128 * n * r) / 2 ** 20)} MiB (limit ${KDF_LIMITS.scryptMemoryBytes / 2 ** 20} MiB)`;
    }
    if (n * r * p > KDF_LIMITS.scryptWork) return `scrypt n·r·p = ${n * r * p} exceeds the limit ${KDF_LIMITS.scryptWork}`;
    return undefined;
  }
  if (crypto.kdf === 'pbkdf2') {
    const { c, prf } = params;
    if (!isPositiveInteger(c) || c > KDF_LIMITS.pbkdf2MaxRounds) {
      return `kdfparams.c must be an integer from 1 to ${KDF_LIMITS.pbkdf2MaxRounds} (got ${String(c)})`;
    }
    if (prf !== 'hmac-sha256') return `kdfparams.prf must be "hmac-sha256" (got ${String(prf)})`;
    return undefined;
  }
  return `kdf must be "scrypt" or "pbkdf2" (got ${String(crypto.kdf)})`;
}
