import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Config } from '../../src/config/config';
import { ConfigError } from '../../src/config/validation';
import { addr, AUX_CHAIN_ID, clone, facilitatorConfig, makeWorkers, mosaicConfig, ORIGIN_CHAIN_ID, tempFolder, type Workers } from './config-fixtures';

type Plain = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary JSON

describe('Config (both files together)', function () {
  let workers: Workers;
  let folder: ReturnType<typeof tempFolder>;
  const savedHome = process.env.MOSAIC_HOME;

  before(async () => (workers = await makeWorkers()));
  beforeEach(() => {
    folder = tempFolder();
    process.env.MOSAIC_HOME = join(folder.dir, 'home');
  });
  afterEach(() => {
    folder.remove();
    if (savedHome === undefined) delete process.env.MOSAIC_HOME;
    else process.env.MOSAIC_HOME = savedHome;
  });

  it('loads both files and answers the getters', function () {
    const mosaicPath = folder.write('mosaic.json', mosaicConfig());
    const facilitatorPath = folder.write('facilitator-config.json', { ...facilitatorConfig(workers), mosaicConfig: 'mosaic.json' });
    const config = Config.load(facilitatorPath);
    expect(config.sources.mosaic).to.equal(`mosaic-config ${mosaicPath}`);
    expect(config.originChainId).to.equal(ORIGIN_CHAIN_ID);
    expect(config.auxChainId).to.equal(AUX_CHAIN_ID);
    expect(config.databasePath).to.equal(join(folder.dir, 'facilitator.sqlite'));
    expect(config.rpc(AUX_CHAIN_ID)).to.deep.equal(['http://127.0.0.1:9545']);
    expect(config.workers(ORIGIN_CHAIN_ID)).to.deep.equal([workers.origin.address]);
    expect(config.allWorkers()).to.deep.equal([workers.origin.address, workers.auxiliary.address]);
    expect(config.encryptedAccount(workers.auxiliary.address.toUpperCase().replace('0X', '0x'))).to.deep.equal(workers.auxiliary.keystore);
    expect(config.composerAddress).to.equal(addr('15'));
    expect(config.gatewayAddress).to.equal(addr('ab'));
    expect(config.coGatewayAddress).to.equal(addr('27'));
    expect(config.originAnchorAddress).to.equal(addr('11'));
    expect(config.auxiliaryAnchorAddress).to.equal(addr('22'));
    expect(config.supportedGateways, 'the gateway pair: stakes at the gateway, redeems at the cogateway').to.deep.equal([addr('ab'), addr('27')]);
    expect(config.lockKey).to.equal(`facilitator:${AUX_CHAIN_ID}:${[workers.origin.address, workers.auxiliary.address].sort().join(',')}`);
    expect(() => config.chain(1)).to.throw(ConfigError, 'chain 1 is neither the origin (1337) nor the auxiliary chain (1405)');
  });

  it('finds the mosaic-config at the default path under MOSAIC_HOME', function () {
    const home = join(folder.dir, 'home', String(AUX_CHAIN_ID));
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'mosaic.json'), JSON.stringify(mosaicConfig()));
    const config = Config.load(folder.write('f.json', facilitatorConfig(workers)));
    expect(config.sources.mosaic).to.equal(`mosaic-config ${join(home, 'mosaic.json')}`);
  });

  it('refuses a mosaic-config without the aux chain id', function () {
    const mosaic: Plain = mosaicConfig();
    mosaic.auxiliaryChains['1406'] = { ...clone(mosaic.auxiliaryChains[AUX_CHAIN_ID]), chainId: 1406 };
    delete mosaic.auxiliaryChains[AUX_CHAIN_ID];
    const mosaicPath = folder.write('mosaic.json', mosaic);
    const facilitatorPath = folder.write('facilitator-config.json', facilitatorConfig(workers));
    expect(() => Config.load(facilitatorPath, mosaicPath)).to.throw(
      ConfigError,
      `mosaic-config ${mosaicPath} has no auxiliary chain 1405 (auxiliaryChains.1405 is missing; it has 1406)`,
    );
  });

  it('refuses files that disagree on the origin chain', function () {
    const mosaic: Plain = mosaicConfig();
    mosaic.originChain.chainId = 1;
    const mosaicPath = folder.write('mosaic.json', mosaic);
    const facilitatorPath = folder.write('facilitator-config.json', facilitatorConfig(workers));
    expect(() => Config.load(facilitatorPath, mosaicPath)).to.throw(ConfigError, /chain id mismatch: .*originChain.chainId 1, .*originChainId 1337/);
  });
});
