import { expect } from 'chai';
import { ChainClient } from '../../src/chain/chain-client';
import { HttpJsonRpc } from '../../src/chain/json-rpc';
import type { MosaicConfigShape } from '../../src/config/mosaic-config';
import { ConfigError } from '../../src/config/validation';
import type { Devnet } from '../../src/devnet/devnet';
import { verifyDeployment, type DeploymentClients } from '../../src/mosaic/verify-deployment';
import { startTestDevnet } from '../helpers/devnet';

describe('verifyDeployment (contracts checked on chain at start)', function () {
  this.timeout(120_000);
  let devnet: Devnet;
  let clients: DeploymentClients;
  const AUX = 1405;
  const prefix = `auxiliaryChains.${AUX}.contractAddresses`;

  before(async () => {
    devnet = await startTestDevnet({ stakers: 0 });
    clients = {
      origin: new ChainClient(new HttpJsonRpc(devnet.info.origin.rpcUrl, 10_000), devnet.info.origin.chainId),
      auxiliary: new ChainClient(new HttpJsonRpc(devnet.info.auxiliary.rpcUrl, 10_000), devnet.info.auxiliary.chainId),
    };
  });
  after(async () => devnet?.close());

  /** The devnet's mosaic-config with one change. */
  const changed = (edit: (config: MosaicConfigShape) => void): MosaicConfigShape => {
    const copy = JSON.parse(JSON.stringify(devnet.mosaicConfig)) as MosaicConfigShape;
    edit(copy);
    return copy;
  };
  const failure = async (config: MosaicConfigShape): Promise<string> => {
    try {
      await verifyDeployment(config, AUX, clients, 'mosaic-config /m.json');
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message.split('\n'), 'one line').to.have.length(1);
      return message;
    }
    throw new Error('expected the deployment to be refused');
  };

  it('accepts the devnet deployment as deployed', async function () {
    await verifyDeployment(devnet.mosaicConfig, AUX, clients, 'mosaic-config /m.json');
  });

  it('refuses a contract address without code, naming the key and chain', async function () {
    const message = await failure(changed((c) => (c.auxiliaryChains[AUX].contractAddresses.auxiliary.ostEIP20CogatewayAddress = `0x${'12'.repeat(20)}`)));
    expect(message).to.equal(
      `mosaic-config /m.json: ${prefix}.auxiliary.ostEIP20CogatewayAddress (EIP20CoGateway) 0x${'12'.repeat(20)} has no code on chain ${AUX}: is it this deployment's address?`,
    );
  });

  it('refuses a gateway that is another kind of contract (the composer), naming the key', async function () {
    const composer = devnet.mosaicConfig.auxiliaryChains[AUX].contractAddresses.origin.ostComposerAddress;
    const message = await failure(changed((c) => (c.auxiliaryChains[AUX].contractAddresses.origin.ostEIP20GatewayAddress = composer)));
    expect(message).to.contain(`${prefix}.origin.ostEIP20GatewayAddress ${composer} does not answer remoteGateway(): it is not an EIP20Gateway`);
  });

  it('refuses anchors swapped with another contract: the gateway pairing names both keys', async function () {
    const token = devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress;
    const message = await failure(changed((c) => (c.auxiliaryChains[AUX].contractAddresses.origin.anchorAddress = token)));
    expect(message).to.contain(`EIP20Gateway`).and.to.contain('has stateRootProvider()').and.to.contain(`but ${prefix}.origin.anchorAddress is ${token}`);
  });

  it('refuses an anchor of another chain pair (its remote chain id), naming the key', async function () {
    // The pair filed under auxiliary chain 1406: every contract and pairing matches, but the origin
    // anchor holds state roots of chain 1405.
    const config = changed((c) => {
      c.auxiliaryChains['1406'] = { ...c.auxiliaryChains[AUX], chainId: 1406 };
    });
    const anchor = devnet.mosaicConfig.auxiliaryChains[AUX].contractAddresses.origin.anchorAddress;
    let message = '';
    try {
      await verifyDeployment(config, 1406, clients, 'mosaic-config /m.json');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.equal(
      `mosaic-config /m.json: Anchor (origin) ${anchor} (auxiliaryChains.1406.contractAddresses.origin.anchorAddress) anchors chain ${AUX}, not chain 1406: is it the anchor of this chain pair?`,
    );
  });
});
