import { expect } from 'chai';
import { ChainClient } from '../../src/chain/chain-client';
import { HttpJsonRpc, type JsonRpc } from '../../src/chain/json-rpc';
import { RpcTransportError } from '../../src/chain/node-errors';
import type { MosaicConfigShape } from '../../src/config/mosaic-config';
import { ConfigError } from '../../src/config/validation';
import { RetryableError } from '../../src/errors/facilitator-error';
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

  it('refuses a composer address that holds another contract with an organization() (the gateway), naming the key', async function () {
    const gateway = devnet.mosaicConfig.auxiliaryChains[AUX].contractAddresses.origin.ostEIP20GatewayAddress;
    const message = await failure(changed((c) => (c.auxiliaryChains[AUX].contractAddresses.origin.ostComposerAddress = gateway)));
    expect(message).to.equal(
      `mosaic-config /m.json: ${prefix}.origin.ostComposerAddress ${gateway} does not answer STAKEREQUEST_INTENT_TYPEHASH(): it is not an OSTComposer of Mosaic 0.12`,
    );
  });

  it('refuses a RedeemPool address that holds another contract (the cogateway), naming the key', async function () {
    const coGateway = devnet.mosaicConfig.auxiliaryChains[AUX].contractAddresses.auxiliary.ostEIP20CogatewayAddress;
    const message = await failure(changed((c) => (c.auxiliaryChains[AUX].contractAddresses.auxiliary.redeemPoolAddress = coGateway)));
    expect(message).to.equal(
      `mosaic-config /m.json: ${prefix}.auxiliary.redeemPoolAddress ${coGateway} does not answer REDEEMREQUEST_INTENT_TYPEHASH(): it is not a RedeemPool of Mosaic 0.12`,
    );
  });

  /** The chain's JSON-RPC, with the requests `fails` picks refused as by a node that went away. */
  const unreachableFor = (inner: JsonRpc, fails: (method: string, params: unknown[]) => boolean): JsonRpc => ({
    url: inner.url,
    request: <T>(method: string, params: unknown[] = [], options?: { timeoutMs?: number }): Promise<T> =>
      fails(method, params) ? Promise.reject(new RpcTransportError({ method, nodeMessage: 'connect ECONNREFUSED 10.0.0.1:8545' })) : inner.request<T>(method, params, options),
  });
  const unreachable = async (deployment: DeploymentClients): Promise<string> => {
    try {
      await verifyDeployment(devnet.mosaicConfig, AUX, deployment, 'mosaic-config /m.json');
    } catch (error) {
      expect(error).to.be.instanceOf(RetryableError);
      expect(error).not.to.be.instanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected the check to fail');
  };

  it('says the chain cannot be reached, not that a contract is of another kind, when a read fails on the way', async function () {
    const composer = devnet.mosaicConfig.auxiliaryChains[AUX].contractAddresses.origin.ostComposerAddress;
    const toComposer = (method: string, params: unknown[]) => method === 'eth_call' && (params[0] as { to: string }).to.toLowerCase() === composer.toLowerCase();
    const message = await unreachable({ ...clients, origin: new ChainClient(unreachableFor(clients.origin.rpc, toComposer), devnet.info.origin.chainId) });
    expect(message).to.equal(
      `mosaic-config /m.json: cannot reach chain 1337 to read STAKEREQUEST_INTENT_TYPEHASH() of ${prefix}.origin.ostComposerAddress ${composer} (RpcTransportError): check the chain's RPC endpoint, then start again`,
    );
  });

  it('says the chain cannot be reached when reading a contract\'s code fails', async function () {
    const auxiliary = new ChainClient(unreachableFor(clients.auxiliary.rpc, (method) => method === 'eth_getCode'), devnet.info.auxiliary.chainId);
    const message = await unreachable({ ...clients, auxiliary });
    expect(message).to.match(new RegExp(`^mosaic-config /m.json: cannot reach chain ${AUX} to read the code of ${prefix}\\.auxiliary\\.\\w+ 0x[0-9a-fA-F]{40} \\(RpcTransportError\\)`));
    expect(message).not.to.contain('ECONNREFUSED');
  });
});
