import { expect } from 'chai';
import { contractInterface, Anchor, Eip20CoGateway, Eip20Gateway, Eip20Token, Organization } from '../../src/mosaic/contracts';
import type { Devnet } from '../../src/devnet/devnet';
import { DEVNET_DEFAULTS } from '../../src/devnet/devnet';
import { startAnchorRelay } from '../../src/devnet/anchor-relay';
import { ChainClient } from '../../src/chain/chain-client';
import { RedeemPool } from '../../src/mosaic/redeem-contracts';
import type { JsonRpc } from '../../src/chain/json-rpc';
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

  it('deploys the RedeemPool with an Organization of its own whitelisting every worker, both named in mosaic.json', async () => {
    const aux = pair().auxiliary;
    const pool = new RedeemPool(devnet.auxiliary.client, aux.redeemPoolAddress);
    expect(await devnet.auxiliary.client.getCode(aux.redeemPoolAddress)).to.not.equal('0x');
    expect(await pool.organization()).to.equal(aux.redeemPoolOrganizationAddress);
    expect(aux.redeemPoolOrganizationAddress, 'not the cogateway/anchor organization').to.not.equal(aux.ostCoGatewayOrganizationAddress);
    const org = new Organization(devnet.auxiliary.client, aux.redeemPoolOrganizationAddress);
    for (const worker of addressesWithRole(devnet, 'worker')) expect(await org.isWorker(worker), worker).to.equal(true);
    for (const staker of addressesWithRole(devnet, 'staker')) expect(await org.isWorker(staker), staker).to.equal(false);
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

  it('anchor relay anchors auxiliary state roots into the origin anchor (the redeem direction)', async () => {
    const originAnchor = new Anchor(devnet.origin.client, pair().origin.anchorAddress);
    await devnet.auxiliary.nextBlock();
    const auxHead = await devnet.auxiliary.client.getBlock('latest');
    const [, toOrigin] = await devnet.relay.anchorOnce();
    expect(toOrigin !== undefined && toOrigin >= BigInt(auxHead.number)).to.equal(true);
    expect(await originAnchor.latestStateRootBlockHeight()).to.equal(toOrigin);
    const anchoredBlock = await devnet.auxiliary.client.getBlock(toOrigin!);
    expect(await originAnchor.stateRoot(toOrigin!)).to.equal(anchoredBlock.stateRoot);
  });

  it('anchor relay keeps anchoring one direction while the other is stalled', async () => {
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    const stalledRpc: JsonRpc = { url: 'stalled', request: async <T>() => stalled.then(() => Promise.reject<T>(new Error('stalled node'))) };
    const auxAnchor = new Anchor(devnet.auxiliary.client, pair().auxiliary.anchorAddress);
    const admin = addressesWithRole(devnet, 'admin')[0];
    const errors: unknown[] = [];
    const relay = startAnchorRelay(
      [
        { source: devnet.origin.client, targetAnchor: auxAnchor, sender: devnet.auxiliarySender(admin) },
        {
          source: new ChainClient(stalledRpc, 9999),
          targetAnchor: new Anchor(devnet.origin.client, pair().origin.anchorAddress),
          sender: devnet.originSender(admin),
        },
      ],
      50,
      (error) => errors.push(error),
    );
    try {
      // Three anchorings, not one: the stalled direction holds nothing back.
      const heights = new Set([await auxAnchor.latestStateRootBlockHeight()]);
      const deadline = Date.now() + 10_000;
      while (heights.size < 4 && Date.now() < deadline) {
        await devnet.origin.nextBlock();
        heights.add(await auxAnchor.latestStateRootBlockHeight());
      }
      expect(heights.size, 'anchorings seen').to.equal(4);
    } finally {
      release();
      await relay.stop();
    }
    expect(errors.length, 'the stalled direction failed once, when released').to.equal(1);
  });

  it('records the deployment block heights as start blocks', async () => {
    const startBlocks = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].startBlocks;
    expect(startBlocks.origin).to.be.greaterThan(0);
    expect(await devnet.origin.client.getCode(devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress)).to.not.equal('0x');
  });
});
