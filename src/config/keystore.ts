import { create, decrypt, encrypt } from 'web3-eth-accounts';
import { toChecksumAddress } from 'web3-utils';
import { LocalSigner } from '../chain/local-signer';
import type { KeystoreV3 } from './facilitator-config';
import { kdfParamsProblem, SCRYPT_N, SCRYPT_P, SCRYPT_R } from './kdf-limits';
import { ConfigError, isAddress, normalizeAddress } from './validation';

/*
 * Worker keys: web3 v3 keystores (scrypt) in the facilitator-config, passwords from the environment.
 * A private key never appears in an error, a log line or a returned plain object (LocalSigner hides it).
 */

/**
 * Environment variable names tried for an address's password, in this order:
 *   MOSAIC_ADDRESS_PASSW_<address as given>, MOSAIC_ADDRESS_PASSW_<lowercase>, MOSAIC_ADDRESS_PASSW_<checksummed>
 * (duplicates removed), so a variable named after the address as written in the config, lowercase or
 * EIP-55 checksummed, is found whatever form the caller holds.
 */
export function passwordVariableNames(address: string): string[] {
  const lower = normalizeAddress(address);
  const names = [`MOSAIC_ADDRESS_PASSW_${address}`, `MOSAIC_ADDRESS_PASSW_${lower}`];
  if (isAddress(lower)) names.push(`MOSAIC_ADDRESS_PASSW_${toChecksumAddress(lower)}`);
  return [...new Set(names)];
}

/** The first non-empty password variable of `address` (see passwordVariableNames), or undefined. */
export function passwordFromEnvironment(address: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of passwordVariableNames(address)) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/**
 * Removes every password variable of `address` from `env` (after reading it): child processes and
 * anything that dumps the environment later never see the password.
 */
export function forgetPasswordVariables(address: string, env: NodeJS.ProcessEnv = process.env): void {
  for (const name of passwordVariableNames(address)) delete env[name];
}

/**
 * A copy of `env` without any MOSAIC_ADDRESS_PASSW_* variable, for child processes (graph-cli, …),
 * which need no worker password.
 */
export function environmentWithoutPasswords(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.toUpperCase().startsWith('MOSAIC_ADDRESS_PASSW_')));
}

export interface CreateAccountOptions {
  /**
   * scrypt cost (power of two). Leave unset for SCRYPT_N in real use; lower only where asked for,
   * e.g. tests and throwaway devnet keys.
   */
  scryptN?: number;
}

/** A new random account and its keystore encrypted with `password`. The address is lowercase. */
export async function createEncryptedAccount(
  password: string,
  options: CreateAccountOptions = {},
): Promise<{ address: string; keystore: KeystoreV3 }> {
  if (password.length === 0) throw new ConfigError('a worker password must not be empty');
  const n = options.scryptN;
  if (n !== undefined && (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0)) {
    throw new ConfigError(`scryptN must be a power of two ≥ 2 (got ${n})`);
  }
  const account = create();
  const keystore = (await encrypt(account.privateKey, password, { n: n ?? SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P })) as unknown as KeystoreV3;
  return { address: normalizeAddress(account.address), keystore };
}

/**
 * Decrypts the keystore of `address` into a signer. Errors name the address, never the password or key:
 * a wrong password, a malformed keystore, and a keystore holding another address's key each say so.
 */
export async function unlockKeystore(address: string, keystore: KeystoreV3, password: string): Promise<LocalSigner> {
  const expected = normalizeAddress(address);
  const crypto = keystore.crypto as Record<string, unknown> | undefined;
  const problem = crypto && typeof crypto === 'object' ? kdfParamsProblem(crypto) : 'the crypto section is missing';
  if (problem !== undefined) {
    throw new ConfigError(`the keystore of worker ${expected} is refused: ${problem}: check encryptedAccounts.${expected}.crypto`);
  }
  let privateKey: string;
  try {
    privateKey = (await decrypt(keystore as unknown as Parameters<typeof decrypt>[0], password)).privateKey;
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    if (name === 'KeyDerivationError') {
      throw new ConfigError(`wrong password for worker ${expected} (tried ${passwordVariableNames(address)[0]} or the prompt): the keystore did not decrypt`);
    }
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 200);
    throw new ConfigError(`the keystore of worker ${expected} cannot be decrypted (${name}: ${reason}): check encryptedAccounts.${expected}`);
  }
  const signer = new LocalSigner(privateKey);
  if (signer.address !== expected) {
    throw new ConfigError(`the keystore stored for ${expected} holds the key of ${signer.address}: fix encryptedAccounts`);
  }
  return signer;
}

/**
 * Unlocks a worker with its password from the environment (MOSAIC_ADDRESS_PASSW_<address>; see
 * passwordVariableNames). Throws naming the variables looked for when none is set.
 */
export async function unlockWorkerFromEnvironment(
  address: string,
  keystore: KeystoreV3 | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LocalSigner> {
  const expected = normalizeAddress(address);
  if (!keystore) throw new ConfigError(`worker ${expected} has no keystore in encryptedAccounts`);
  const password = passwordFromEnvironment(address, env);
  forgetPasswordVariables(address, env);
  if (password === undefined) {
    throw new ConfigError(`no password for worker ${expected}: set one of ${passwordVariableNames(address).join(', ')}`);
  }
  return unlockKeystore(address, keystore, password);
}
