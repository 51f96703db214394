import { expect } from 'chai';
import { chmodSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { toChecksumAddress } from 'web3-utils';
import { loadFacilitatorConfig, parseFacilitatorConfig } from '../../src/config/facilitator-config';
import { ConfigError } from '../../src/config/validation';
import { DEFAULTS } from '../../src/facilitator/defaults';
import { policyOf } from '../../src/facilitator/resolve-options';
import { AUX_CHAIN_ID, clone, facilitatorConfig, makeWorkers, ORIGIN_CHAIN_ID, tempFolder, type Workers } from './config-fixtures';

type Plain = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary JSON

describe('facilitator-config', function () {
  let workers: Workers;
  let folder: ReturnType<typeof tempFolder>;
  const savedHome = process.env.MOSAIC_HOME;

  before(async function () {
    workers = await makeWorkers();
  });
  beforeEach(function () {
    folder = tempFolder();
    process.env.MOSAIC_HOME = join(folder.dir, 'mosaic-home');
  });
  afterEach(function () {
    folder.remove();
    if (savedHome === undefined) delete process.env.MOSAIC_HOME;
    else process.env.MOSAIC_HOME = savedHome;
  });

  /** Loads `plain` from a file and returns the ConfigError message (fails if it loads). */
  function loadError(plain: unknown): string {
    const path = folder.write('facilitator-config.json', plain);
    try {
      loadFacilitatorConfig(path);
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).to.contain(path);
      return message;
    }
    throw new Error('expected the config to be rejected');
  }

  it('loads a valid file: relative paths against its folder, addresses lowercase', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    plain.mosaicConfig = 'mosaic.json';
    const checksummed = toChecksumAddress(workers.origin.address);
    plain.chains[ORIGIN_CHAIN_ID].workers = [checksummed];
    plain.encryptedAccounts = { [checksummed]: workers.origin.keystore, [workers.auxiliary.address]: workers.auxiliary.keystore };
    plain.facilitation.supportedGateways = ['0x' + 'AB'.repeat(20)];
    const config = loadFacilitatorConfig(folder.write('facilitator-config.json', plain));
    expect(config.database.path).to.equal(join(folder.dir, 'facilitator.sqlite'));
    expect(config.mosaicConfig).to.equal(join(folder.dir, 'mosaic.json'));
    expect(config.chains[String(ORIGIN_CHAIN_ID)].workers).to.deep.equal([workers.origin.address]);
    expect(Object.keys(config.encryptedAccounts).sort()).to.deep.equal([workers.origin.address, workers.auxiliary.address].sort());
    expect(config.facilitation?.supportedGateways).to.deep.equal(['0x' + 'ab'.repeat(20)]);
    expect(config.chains[String(AUX_CHAIN_ID)].subgraph.mode).to.equal('remote');
  });

  it('takes a PostgreSQL database by URL (client postgres, no path) and the active/standby lease', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    plain.database = { client: 'postgres', url: 'postgres://facilitator@db.example:5432/facilitator' };
    plain.ha = { leaseMs: 5000 };
    const config = loadFacilitatorConfig(folder.write('facilitator-config.json', plain));
    expect(config.database).to.deep.include({ client: 'postgres', url: 'postgres://facilitator@db.example:5432/facilitator' });
    expect(config.database.path).to.equal(undefined);
    expect(config.ha?.leaseMs).to.equal(5000);
    plain.database = { url: 'postgresql://db.example/facilitator' };
    expect(loadFacilitatorConfig(folder.write('facilitator-config.json', plain)).database.client, 'a URL alone means postgres').to.equal('postgres');
  });

  it('names what is wrong in a database section: no URL for postgres, a path beside a URL, a URL of another kind, a lease out of range', function () {
    const withDatabase = (database: unknown, ha?: unknown): Plain => ({ ...clone(facilitatorConfig(workers)), database, ...(ha ? { ha } : {}) });
    expect(loadError(withDatabase({ client: 'postgres' }))).to.match(/database\.url: is missing/);
    expect(loadError(withDatabase({ path: 'x.sqlite', url: 'postgres://h/db' }))).to.match(/database\.path: is for SQLite/);
    expect(loadError(withDatabase({ url: 'http://h/db' }))).to.match(/database\.url: must be a PostgreSQL URL/);
    expect(loadError(withDatabase({ client: 'mysql', path: 'x' }))).to.match(/database\.client: must be "sqlite"/);
    expect(loadError(withDatabase({ path: 'x.sqlite' }, { leaseMs: 100 }))).to.match(/ha\.leaseMs/);
  });

  it('defaults the database to <MOSAIC_HOME>/<aux-chain-id>/facilitator.sqlite and expands ~/', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    delete plain.database;
    expect(parseFacilitatorConfig(plain, 'x').database.path).to.equal(join(folder.dir, 'mosaic-home', String(AUX_CHAIN_ID), 'facilitator.sqlite'));
    plain.database = { path: '~/somewhere/f.sqlite' };
    expect(parseFacilitatorConfig(plain, 'x').database.path).to.equal(join(homedir(), 'somewhere/f.sqlite'));
  });

  it('a missing file is one line naming it', function () {
    const path = join(folder.dir, 'nope.json');
    expect(() => loadFacilitatorConfig(path)).to.throw(ConfigError, `facilitator-config ${path} does not exist`);
  });

  it('an unreadable file is one line naming it', function () {
    const dir = join(folder.dir, 'a-folder.json');
    mkdirSync(dir);
    expect(() => loadFacilitatorConfig(dir)).to.throw(ConfigError, `facilitator-config ${dir} is a folder`);
    if (process.getuid?.() !== 0) {
      const path = folder.write('locked.json', facilitatorConfig(workers));
      chmodSync(path, 0o000);
      expect(() => loadFacilitatorConfig(path)).to.throw(ConfigError, /cannot be read: permission denied/);
    }
  });

  it('bad JSON is one line naming the file', function () {
    const message = loadError('{ "version": 1,\n  "chains": { oops } }');
    expect(message).to.match(/is not valid JSON: /);
    expect(message.split('\n')).to.have.length(1);
  });

  it('a non-object top level is rejected', function () {
    expect(loadError('[1, 2]')).to.contain('must be a JSON object');
  });

  it('a missing field names its path and what is expected', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    delete plain.chains[AUX_CHAIN_ID].rpc;
    expect(loadError(plain)).to.match(/: chains\.1405\.rpc: is missing \(must be the JSON-RPC URL/);
  });

  it('reads txType and the maxFeePerGas cap per chain, and names a bad value', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    plain.chains[ORIGIN_CHAIN_ID].txType = 'legacy';
    plain.chains[ORIGIN_CHAIN_ID].maxFeePerGas = '50000000000';
    const config = loadFacilitatorConfig(folder.write('facilitator-config.json', plain));
    expect(config.chains[String(ORIGIN_CHAIN_ID)].txType).to.equal('legacy');
    expect(config.chains[String(ORIGIN_CHAIN_ID)].maxFeePerGas).to.equal('50000000000');
    plain.chains[ORIGIN_CHAIN_ID].txType = 'type2';
    expect(loadError(plain)).to.match(/chains\.1337\.txType: must be "auto" .*"eip1559" or "legacy"/);
    plain.chains[ORIGIN_CHAIN_ID].txType = 'auto';
    plain.chains[ORIGIN_CHAIN_ID].maxFeePerGas = '50 gwei';
    expect(loadError(plain)).to.match(/chains\.1337\.maxFeePerGas: must be a whole number of wei/);
  });

  it('a bad worker address names chain, index and the expected form', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    plain.chains[ORIGIN_CHAIN_ID].workers = [workers.origin.address, '0x1234'];
    expect(loadError(plain)).to.contain('chains.1337.workers.1: each worker must be a 20-byte 0x-prefixed hex address (got "0x1234")');
  });

  it('a worker without keystore is named', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    delete plain.encryptedAccounts[workers.auxiliary.address];
    expect(loadError(plain)).to.contain(`chains.1405.workers.0: worker ${workers.auxiliary.address} has no keystore in encryptedAccounts`);
  });

  it('a missing chain id section is named', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    delete plain.chains[ORIGIN_CHAIN_ID];
    expect(loadError(plain)).to.contain('chains.1337: is missing');
  });

  it('a missing chain id is named', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    delete plain.auxChainId;
    expect(loadError(plain)).to.contain('auxChainId: is missing (must be the auxiliary chain id');
  });

  it('chains other than origin and auxiliary, equal ids, and unknown fields are rejected', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    plain.chains['999'] = plain.chains[ORIGIN_CHAIN_ID];
    expect(loadError(plain)).to.contain('chains.999: is neither originChainId 1337 nor auxChainId 1405');

    const same: Plain = clone(facilitatorConfig(workers));
    same.auxChainId = ORIGIN_CHAIN_ID;
    const sameMessage = loadError(same);
    expect(sameMessage).to.contain('auxChainId: must differ from originChainId');
    expect(sameMessage.split('\n'), 'exactly one line').to.have.length(1);

    const typo: Plain = clone(facilitatorConfig(workers));
    typo.chains[ORIGIN_CHAIN_ID].confirmation = 3;
    typo.statu = {};
    const message = loadError(typo);
    expect(message).to.contain('chains.1337.confirmation: is not a known field');
    expect(message).to.contain('statu: is not a known field');
  });

  it('reports every problem at once, one per line', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    plain.version = 2;
    plain.chains[AUX_CHAIN_ID].subgraph = { mode: 'remote', transport: 'subscription' };
    plain.facilitation.minGasPrice = 5;
    const message = loadError(plain);
    expect(message).to.match(/4 problems:\n/);
    expect(message).to.contain('version: must be 1 (got 2)');
    expect(message).to.contain('chains.1405.subgraph.http: is missing (required when mode is "remote")');
    expect(message).to.contain('chains.1405.subgraph.ws: is missing (required for the "subscription" transport)');
    expect(message).to.contain('facilitation.minGasPrice: must be a whole number of wei as a decimal string');
  });

  it('checks keystores: shape, and a keystore filed under another address', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    plain.encryptedAccounts[workers.origin.address] = { version: 3, crypto: { cipher: 'aes-128-ctr' } };
    plain.encryptedAccounts[workers.auxiliary.address] = workers.origin.keystore;
    const message = loadError(plain);
    expect(message).to.contain(`encryptedAccounts.${workers.origin.address}.crypto.ciphertext: is missing`);
    expect(message).to.contain(`encryptedAccounts.${workers.auxiliary.address}.address: is the keystore of ${workers.origin.address}`);
    expect(message).not.to.contain(String((workers.origin.keystore.crypto as Plain).ciphertext));
  });

  it('refuses keystore KDF parameters that would make start run for hours or exhaust memory, before deriving anything', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    const crypto = plain.encryptedAccounts[workers.origin.address].crypto as Plain;
    crypto.kdfparams = { ...(crypto.kdfparams as Plain), n: 2 ** 30 };
    const started = Date.now();
    const message = loadError(plain);
    expect(Date.now() - started).to.be.below(1000);
    expect(message).to.contain(`encryptedAccounts.${workers.origin.address}.crypto: scrypt n=1073741824, r=8 would need 1048576 MiB (limit 256 MiB)`);
  });

  it('refuses a worker address whose mixed case is not its EIP-55 checksum', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    const checksummed = toChecksumAddress(workers.origin.address);
    const mistyped = `0x${[...checksummed.slice(2)].map((c) => (/[a-f]/.test(c) ? c.toUpperCase() : /[A-F]/.test(c) ? c.toLowerCase() : c)).join('')}`;
    plain.chains[ORIGIN_CHAIN_ID].workers = [mistyped];
    expect(loadError(plain)).to.contain(`chains.1337.workers.0: each worker has a bad EIP-55 checksum`);
  });

  describe('facilitation.profitability', function () {
    const load = (profitability: unknown) => {
      const plain: Plain = clone(facilitatorConfig(workers));
      plain.facilitation.profitability = profitability;
      return plain;
    };

    it('off unless enabled: no rule in the policy', function () {
      expect(policyOf(parseFacilitatorConfig(load({ enabled: false }), 'test').facilitation).profitability).to.equal(undefined);
      expect(policyOf(parseFacilitatorConfig(facilitatorConfig(workers), 'test').facilitation).profitability).to.equal(undefined);
    });

    it('enabled: the defaults (margin 120%, measured gas) unless given, the rate as an exact fraction', function () {
      const config = parseFacilitatorConfig(load({ enabled: true, ostPerEth: '12.50' }), 'test');
      expect(policyOf(config.facilitation).profitability).to.deep.equal({
        marginPercent: DEFAULTS.profitability.marginPercent,
        ostPerEth: { numerator: 1250n, denominator: 100n },
        gas: DEFAULTS.profitability.gas,
      });
      const given = parseFacilitatorConfig(load({ enabled: true, ostPerEth: '3', marginPercent: 150, gas: { redeem: { origin: 1_000_000 } } }), 'test');
      expect(policyOf(given.facilitation).profitability).to.deep.equal({
        marginPercent: 150n,
        ostPerEth: { numerator: 3n, denominator: 1n },
        gas: { STAKE: DEFAULTS.profitability.gas.STAKE, REDEEM: { origin: 1_000_000n, auxiliary: DEFAULTS.profitability.gas.REDEEM.auxiliary } },
      });
    });

    it('enabled without ostPerEth: one line saying what to add', function () {
      const message = loadError(load({ enabled: true }));
      expect(message.trim().split('\n')).to.have.length(1);
      expect(message).to.contain('facilitation.profitability.ostPerEth: is missing: with profitability enabled, say how many OST one ETH is worth (e.g. "20000")');
    });

    it('refuses a bad rate, margin, gas, switch or an unknown field, naming each', function () {
      const message = loadError(load({ enabled: 'yes', ostPerEth: '0', marginPercent: 0, gas: { stake: { origin: 100 }, swap: {} }, margin: 1 }));
      expect(message).to.contain('facilitation.profitability.enabled: must be true or false');
      expect(message).to.contain('facilitation.profitability.ostPerEth: must be how many OST one ETH is worth, a positive decimal string');
      expect(message).to.contain('facilitation.profitability.marginPercent: must be at least 1');
      expect(message).to.contain('facilitation.profitability.gas.stake.origin: must be a whole number of gas (at least 21000)');
      expect(message).to.contain('facilitation.profitability.gas.swap: is not a known field');
      expect(message).to.contain('facilitation.profitability.margin: is not a known field');
    });
  });
});
