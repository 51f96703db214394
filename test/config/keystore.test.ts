import { expect } from 'chai';
import { create, encrypt } from 'web3-eth-accounts';
import { toChecksumAddress } from 'web3-utils';
import type { KeystoreV3 } from '../../src/config/facilitator-config';
import {
  createEncryptedAccount,
  passwordFromEnvironment,
  passwordVariableNames,
  unlockKeystore,
  unlockWorkerFromEnvironment,
} from '../../src/config/keystore';
import { ConfigError } from '../../src/config/validation';
import { TEST_SCRYPT_N } from './config-fixtures';

/** Runs `fn` expecting a ConfigError; returns its message. */
async function rejection(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('keystore', function () {
  let account: { address: string; keystore: KeystoreV3 };
  const password = 'pa55 word';

  before(async function () {
    account = await createEncryptedAccount(password, { scryptN: TEST_SCRYPT_N });
  });

  it('creates a scrypt v3 keystore that unlocks to the same address', async function () {
    expect(account.address).to.match(/^0x[0-9a-f]{40}$/);
    expect(account.keystore.version).to.equal(3);
    expect(account.keystore.crypto.kdf).to.equal('scrypt');
    expect((account.keystore.crypto.kdfparams as { n: number }).n).to.equal(TEST_SCRYPT_N);
    const signer = await unlockKeystore(account.address, account.keystore, password);
    expect(signer.address).to.equal(account.address);
    // The key stays out of serialized output.
    expect(JSON.stringify(signer)).to.equal(JSON.stringify({ address: account.address }));
  });

  it('uses scrypt N = 2^18, r = 8, p = 1 for new keystores unless asked', async function () {
    this.timeout(30_000);
    const real = await createEncryptedAccount('x');
    expect(real.keystore.crypto.kdfparams).to.include({ n: 262_144, r: 8, p: 1, dklen: 32 });
  });

  it('still unlocks keystores made with the older default N = 8192', async function () {
    this.timeout(20_000);
    const key = create();
    const old = (await encrypt(key.privateKey, password, { n: 8192 })) as unknown as KeystoreV3;
    expect((await unlockKeystore(key.address, old, password)).address).to.equal(key.address.toLowerCase());
  });

  describe('refuses absurd KDF parameters at once, with one line naming the worker', function () {
    const withParams = (kdf: string, params: Record<string, unknown>): KeystoreV3 =>
      ({ ...account.keystore, crypto: { ...account.keystore.crypto, kdf, kdfparams: { ...(account.keystore.crypto.kdfparams as object), ...params } } }) as KeystoreV3;
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      ['scrypt n = 2^30', 'scrypt', { n: 2 ** 30 }, 'would need 1048576 MiB'],
      ['scrypt r = 1e6', 'scrypt', { r: 1_000_000 }, 'kdfparams.r must be an integer from 1 to 32'],
      ['scrypt p = 1e6', 'scrypt', { p: 1_000_000 }, 'kdfparams.p must be an integer from 1 to 16'],
      ['scrypt n not a power of two', 'scrypt', { n: 1000 }, 'kdfparams.n must be a power of two'],
      ['dklen = 1e9', 'scrypt', { dklen: 1e9 }, 'kdfparams.dklen must be an integer from 32 to 64'],
      ['pbkdf2 c = 1e9', 'pbkdf2', { c: 1e9, prf: 'hmac-sha256' }, 'kdfparams.c must be an integer from 1 to 4194304'],
    ];
    for (const [name, kdf, params, expected] of cases) {
      it(name, async function () {
        const started = Date.now();
        const message = await rejection(() => unlockKeystore(account.address, withParams(kdf, params), password));
        expect(Date.now() - started).to.be.below(500);
        expect(message).to.contain(`the keystore of worker ${account.address} is refused`).and.to.contain(expected);
        expect(message).not.to.contain('\n');
      });
    }
  });

  it('refuses empty passwords and a bad scrypt cost', async function () {
    expect(await rejection(() => createEncryptedAccount(''))).to.contain('must not be empty');
    expect(await rejection(() => createEncryptedAccount('x', { scryptN: 1000 }))).to.contain('power of two');
  });

  it('a wrong password names the address, never the password', async function () {
    const message = await rejection(() => unlockKeystore(toChecksumAddress(account.address), account.keystore, 'wrong guess'));
    expect(message).to.contain(`wrong password for worker ${account.address}`);
    expect(message).not.to.contain('wrong guess');
    expect(message).not.to.contain(password);
  });

  it('a keystore of another key is named', async function () {
    const other = await createEncryptedAccount(password, { scryptN: TEST_SCRYPT_N });
    const message = await rejection(() => unlockKeystore(account.address, other.keystore, password));
    expect(message).to.contain(`the keystore stored for ${account.address} holds the key of ${other.address}`);
  });

  it('a malformed keystore says so', async function () {
    const broken = { ...account.keystore, crypto: { ...account.keystore.crypto, kdf: 'argon2' } } as KeystoreV3;
    const message = await rejection(() => unlockKeystore(account.address, broken, password));
    expect(message).to.contain(`the keystore of worker ${account.address} is refused: kdf must be "scrypt" or "pbkdf2"`);
  });

  it('tries the address as given, lowercase and checksummed', function () {
    const checksummed = toChecksumAddress(account.address);
    expect(passwordVariableNames(checksummed)).to.deep.equal([`MOSAIC_ADDRESS_PASSW_${checksummed}`, `MOSAIC_ADDRESS_PASSW_${account.address}`]);
    expect(passwordVariableNames(account.address)).to.deep.equal([`MOSAIC_ADDRESS_PASSW_${account.address}`, `MOSAIC_ADDRESS_PASSW_${checksummed}`]);
    expect(passwordFromEnvironment(account.address, { [`MOSAIC_ADDRESS_PASSW_${checksummed}`]: 'a' })).to.equal('a');
    expect(passwordFromEnvironment(checksummed, { [`MOSAIC_ADDRESS_PASSW_${account.address}`]: 'b' })).to.equal('b');
    expect(passwordFromEnvironment(checksummed, { [`MOSAIC_ADDRESS_PASSW_${account.address}`]: '' })).to.equal(undefined);
  });

  it('unlocks a worker with the password from the environment', async function () {
    const env = { [`MOSAIC_ADDRESS_PASSW_${toChecksumAddress(account.address)}`]: password };
    const signer = await unlockWorkerFromEnvironment(account.address, account.keystore, env);
    expect(signer.address).to.equal(account.address);
    const missing = await rejection(() => unlockWorkerFromEnvironment(account.address, account.keystore, {}));
    expect(missing).to.contain(`no password for worker ${account.address}: set one of MOSAIC_ADDRESS_PASSW_${account.address}`);
    const wrong = await rejection(() => unlockWorkerFromEnvironment(account.address, account.keystore, { [`MOSAIC_ADDRESS_PASSW_${account.address}`]: 'nope' }));
    expect(wrong).to.contain(`wrong password for worker ${account.address}`);
    expect(await rejection(() => unlockWorkerFromEnvironment(account.address, undefined, {}))).to.contain('has no keystore');
  });
});
