import { create, decrypt, encrypt } from 'web3-eth-accounts';
import { toChecksumAddress } from 'web3-utils';
import { LocalSigner } from '../chain/local-signer';
import type { KeystoreV3 } from './facilitator-config';
import { ConfigError } from './validation';

/** Environment variable names tried for an address's password, in order. */
export function passwordVariableNames(address: string): string[] {
  const lower = address.toLowerCase();
  return [...new Set([`MOSAIC_ADDRESS_PASSW_${address}`, `MOSAIC_ADDRESS_PASSW_${lower}`, `MOSAIC_ADDRESS_PASSW_${toChecksumAddress(lower)}`])];
}

export function passwordFromEnvironment(address: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of passwordVariableNames(address)) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** A new account with its keystore; scrypt n can be lowered only when asked (tests). */
export async function createEncryptedAccount(password: string, options: { scryptN?: number } = {}): Promise<{ address: string; keystore: KeystoreV3 }> {
  if (password.length === 0) throw new ConfigError('a worker password must not be empty');
  const account = create();
  const keystore = (await encrypt(account.privateKey, password, options.scryptN ? { n: options.scryptN } : undefined)) as unknown as KeystoreV3;
  return { address: account.address.toLowerCase(), keystore };
}

/** Unlocks a worker key; a wrong password names the address, never the password. */
export async function unlockKeystore(address: string, keystore: KeystoreV3, password: string): Promise<LocalSigner> {
  let privateKey: string;
  try {
    const account = await decrypt(keystore as unknown as Parameters<typeof decrypt>[0], password);
    privateKey = account.privateKey;
  } catch {
    throw new ConfigError(`wrong password for worker ${address} (from ${passwordVariableNames(address)[0]} or the prompt): the keystore did not decrypt`);
  }
  const signer = new LocalSigner(privateKey);
  if (signer.address !== address.toLowerCase()) {
    throw new ConfigError(`the keystore stored for ${address} holds the key of ${signer.address}: fix encryptedAccounts`);
  }
  return signer;
}
