import { expect } from 'chai';
import { join } from 'node:path';
import { toChecksumAddress } from 'web3-utils';
import { auxiliaryChainOf, loadMosaicConfig, parseMosaicConfig } from '../../src/config/mosaic-config-schema';
import { ConfigError } from '../../src/config/validation';
import { addr, AUX_CHAIN_ID, clone, mosaicConfig, tempFolder } from './config-fixtures';

type Plain = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary JSON

describe('mosaic-config schema', function () {
  let folder: ReturnType<typeof tempFolder>;
  beforeEach(() => (folder = tempFolder()));
  afterEach(() => folder.remove());

  function loadError(plain: unknown): string {
    const path = folder.write('mosaic.json', plain);
    try {
      loadMosaicConfig(path);
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as Error).message).to.contain(`mosaic-config ${path}: `);
      return (error as Error).message;
    }
    throw new Error('expected the config to be rejected');
  }

  it('loads a valid file, keeps the shape, lowercases addresses', function () {
    const config = loadMosaicConfig(folder.write('mosaic.json', mosaicConfig()));
    const pair = auxiliaryChainOf(config, AUX_CHAIN_ID, 'x');
    expect(pair.contractAddresses.origin.ostEIP20GatewayAddress).to.equal(addr('ab'));
    expect(pair.startBlocks).to.deep.equal({ origin: 5, auxiliary: 7 });
    const expected = clone(mosaicConfig());
    expected.auxiliaryChains[String(AUX_CHAIN_ID)].contractAddresses.origin.ostEIP20GatewayAddress = addr('ab');
    expect(config).to.deep.equal(expected);
  });

  it('names the full field path of a bad address', function () {
    const plain: Plain = mosaicConfig();
    plain.auxiliaryChains[AUX_CHAIN_ID].contractAddresses.origin.ostComposerAddress = '0xabc';
    expect(loadError(plain)).to.contain(
      'auxiliaryChains.1405.contractAddresses.origin.ostComposerAddress: must be a 20-byte 0x-prefixed hex address (got "0xabc")',
    );
  });

  it('refuses an address whose mixed case is not its EIP-55 checksum, and accepts one that is', function () {
    const lower = '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed';
    const good: Plain = mosaicConfig();
    good.auxiliaryChains[AUX_CHAIN_ID].contractAddresses.origin.ostComposerAddress = toChecksumAddress(lower);
    expect(auxiliaryChainOf(loadMosaicConfig(folder.write('mosaic.json', good)), AUX_CHAIN_ID, 'x').contractAddresses.origin.ostComposerAddress).to.equal(lower);
    const bad: Plain = mosaicConfig();
    bad.auxiliaryChains[AUX_CHAIN_ID].contractAddresses.origin.ostComposerAddress = toChecksumAddress(lower).replace('A', 'a');
    const message = loadError(bad);
    expect(message).to.contain('auxiliaryChains.1405.contractAddresses.origin.ostComposerAddress: has a bad EIP-55 checksum');
    expect(message).not.to.contain('\n');
  });

  it('names missing fields and a chainId that differs from its key', function () {
    const plain: Plain = mosaicConfig();
    delete plain.originChain.contractAddresses.messageBusAddress;
    plain.auxiliaryChains[AUX_CHAIN_ID].chainId = 1406;
    delete plain.auxiliaryChains[AUX_CHAIN_ID].startBlocks;
    const message = loadError(plain);
    expect(message).to.contain('originChain.contractAddresses.messageBusAddress: is missing (must be a 20-byte 0x-prefixed hex address)');
    expect(message).to.contain('auxiliaryChains.1405.chainId: must equal its key 1405 (got 1406)');
    expect(message).to.contain('auxiliaryChains.1405.startBlocks: is missing');
  });

  it('rejects another version', function () {
    const plain: Plain = mosaicConfig();
    plain.version = 2;
    expect(loadError(plain)).to.contain('version: must be 1');
  });

  it('missing file and bad JSON are one line each', function () {
    const missing = join(folder.dir, 'none.json');
    expect(() => loadMosaicConfig(missing)).to.throw(ConfigError, `mosaic-config ${missing} does not exist`);
    const bad = folder.write('bad.json', '{"version": 1,');
    expect(() => loadMosaicConfig(bad)).to.throw(ConfigError, /^mosaic-config .*bad\.json is not valid JSON: [^\n]+$/);
  });

  it('auxiliaryChainOf names the chains the config has', function () {
    const config = parseMosaicConfig(mosaicConfig(), 'mosaic-config m.json');
    expect(() => auxiliaryChainOf(config, 9999, 'mosaic-config m.json')).to.throw(
      ConfigError,
      'mosaic-config m.json has no auxiliary chain 9999 (auxiliaryChains.9999 is missing; it has 1405)',
    );
  });
});
