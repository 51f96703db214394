import { expect } from 'chai';
import { contractInterface, Anchor, Eip20CoGateway, Eip20Gateway, Eip20Token, Organization } from '../../src/mosaic/contracts';
import type { Devnet } from '../../src/devnet/devnet';
import { DEVNET_DEFAULTS } from '../../src/devnet/devnet';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';

describe('devnet deployment of Mosaic 0.12', function () {
  this.timeout(60_000);
  let devnet: Devnet;
  before(async () => {
    devnet = await startTestDevnet({ stakers: 2, workers: 3 });
  });
  after(async () => devnet?.close());

  const pair = () => devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;

  it('runs two chains with distinct chain ids', async () => {
    expect(await devnet.origin.client.getChainId()).to.equal(DEVNET_DEFAULTS.originChainId);
    expect(await devnet.auxiliary.client.getChainId()).to.equal(DEVNET_DEFAULTS.auxChainId);
  });

  it('activates the gateway and binds it to the cogateway both ways', async () => {
    const gateway = new Eip20Gateway(devnet.origin.client, pair().origin.ostEIP20GatewayAddress);
    const coGateway = new Eip20CoGateway(devnet.auxiliary.client, pair().auxiliary.ostEIP20CogatewayAddress);
    expect(await gateway.activated()).to.equal(true);
    expect(await gateway.remoteGateway()).to.equal(coGateway.address);
    expect(await coGateway.remoteGateway()).to.equal(gateway.address);
    expect(await gateway.stateRootProvider()).to.equal(pair().origin.anchorAddress);
    expect(await coGateway.stateRootProvider()).to.equal(pair().auxiliary.anchorAddress);
    expect(await gateway.getMessageBoxOffset()).to.equal(9n);
    expect(await gateway.bounty()).to.equal(DEVNET_DEFAULTS.bounty);
  });

  it('initializes OSTPrime with its base coin and points it at the cogateway', async () => {
    const ostPrime = pair().auxiliary.ostPrimeAddress;
    const iface = contractInterface('OSTPrime');
    const read = async (method: string) =>
      iface.decodeResult(method, await devnet.auxiliary.client.call({ to: ostPrime, data: iface.encodeCall(method, []) }))[0];
    expect(await read('initialized')).to.equal(true);
    expect(String(await read('coGateway')).toLowerCase()).to.equal(pair().auxiliary.ostEIP20CogatewayAddress);
    expect(await devnet.auxiliary.client.getBalance(ostPrime)).to.equal((await read('TOKENS_MAX')) as bigint);
  });

  it('whitelists every worker in the composer organization and seeds OST', async () => {
    const org = new Organization(devnet.origin.client, pair().origin.ostComposerOrganizationAddress);
    const ost = new Eip20Token(devnet.origin.client, devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress);
    for (const worker of addressesWithRole(devnet, 'worker')) {
      expect(await org.isWorker(worker), worker).to.equal(true);
      expect(await ost.balanceOf(worker)).to.equal(DEVNET_DEFAULTS.ostPerAccount);
    }
    for (const staker of addressesWithRole(devnet, 'staker')) {
      expect(await org.isWorker(staker)).to.equal(false);
      expect(await ost.balanceOf(staker)).to.equal(DEVNET_DEFAULTS.ostPerAccount);
    }
  });

  it('anchor relay anchors each chain head into the other chain', async () => {
    const originAnchor = new Anchor(devnet.origin.client, pair().origin.anchorAddress);
    const auxAnchor = new Anchor(devnet.auxiliary.client, pair().auxiliary.anchorAddress);
    expect(await originAnchor.remoteChainId()).to.equal(BigInt(DEVNET_DEFAULTS.auxChainId));
    expect(await auxAnchor.remoteChainId()).to.equal(BigInt(DEVNET_DEFAULTS.originChainId));
    const originHead = await devnet.origin.client.getBlock('latest');
    const [toAux] = await devnet.relay.anchorOnce();
    expect(toAux).to.equal(BigInt(originHead.number));
    expect(await auxAnchor.latestStateRootBlockHeight()).to.equal(BigInt(originHead.number));
    expect(await auxAnchor.stateRoot(BigInt(originHead.number))).to.equal(originHead.stateRoot);
    expect(await originAnchor.latestStateRootBlockHeight() > 0n).to.equal(true);
  });

  it('records the deployment block heights as start blocks', async () => {
    const startBlocks = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].startBlocks;
    expect(startBlocks.origin).to.be.greaterThan(0);
    expect(await devnet.origin.client.getCode(devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress)).to.not.equal('0x');
  });
});
