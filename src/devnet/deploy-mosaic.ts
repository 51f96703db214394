import { toQuantity, type ChainClient } from '../chain/chain-client';
import type { DirectSender } from '../chain/direct-sender';
import { MOSAIC_CONFIG_VERSION, type AuxiliaryChainConfig, type MosaicConfigShape } from '../config/mosaic-config';
import { linkedBytecode, type MosaicContractName } from '../mosaic/artifacts';
import { contractInterface, Eip20Gateway, OstPrime } from '../mosaic/contracts';
import { GAS_LIMITS } from '../mosaic/gas';

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
const MAX_STATE_ROOTS = 100n;
const MAX_STORAGE_ROOT_ITEMS = 100n;

export interface DeploySide {
  client: ChainClient;
  /** Deploys and owns every contract; owner of every Organization. */
  owner: DirectSender;
  /** Admin of every Organization (the anchor relay's key). */
  admin: string;
}

export interface DeployMosaicOptions {
  origin: DeploySide;
  /** One gateway pair per auxiliary chain: a gateway, composer and anchor on origin for each. */
  auxiliaries: DeploySide[];
  /** Whitelisted in the composer's (origin) and redeem pool's (auxiliary) Organization. */
  workers: string[];
  bounty: bigint;
  /** Called after the value token exists, before anything uses balances (the devnet seeds OST here). */
  onValueToken?: (address: string) => Promise<void>;
}

async function deploy(
  sender: DirectSender,
  name: MosaicContractName,
  args: readonly unknown[] = [],
  libraries: Record<string, string> = {},
): Promise<{ address: string; blockNumber: number }> {
  const data = contractInterface(name).encodeDeploy(linkedBytecode(name, libraries), args);
  const receipt = await sender.send({ data, gas: GAS_LIMITS.deploy, label: `deploy ${name}` });
  if (!receipt.contractAddress) throw new Error(`deploy ${name}: no contract address in the receipt`);
  return { address: receipt.contractAddress.toLowerCase(), blockNumber: Number(receipt.blockNumber) };
}

async function deployLibraries(sender: DirectSender) {
  const merklePatriciaProof = await deploy(sender, 'MerklePatriciaProof');
  const linkMpp = { MerklePatriciaProof: merklePatriciaProof.address };
  const gatewayLib = await deploy(sender, 'GatewayLib', [], linkMpp);
  const messageBus = await deploy(sender, 'MessageBus', [], linkMpp);
  return {
    merklePatriciaProof: merklePatriciaProof.address,
    gatewayLib: gatewayLib.address,
    messageBus: messageBus.address,
    gatewayLinks: { MessageBus: messageBus.address, GatewayLib: gatewayLib.address },
  };
}

type Deployed = Awaited<ReturnType<typeof deploy>>;
type Libraries = Awaited<ReturnType<typeof deployLibraries>>;

/** Far enough ahead that the workers' whitelisting never expires on a devnet. */
const WORKERS_EXPIRATION_HEIGHT = 1_000_000_000n;

/** What origin holds once, whatever the number of pairs: OST and the libraries. */
interface OriginShared {
  ost: Deployed;
  originLibs: Libraries;
}

/** One pair's contracts on origin. */
interface OriginContracts extends OriginShared {
  originOrg: Deployed;
  originAnchor: Deployed;
  gateway: Deployed;
  composerOrg: Deployed;
  composer: Deployed;
}

interface AuxiliaryContracts {
  auxOrg: Deployed;
  auxAnchor: Deployed;
  ostPrime: Deployed;
  auxLibs: Libraries;
  coGateway: Deployed;
  redeemPoolOrg: Deployed;
  redeemPool: Deployed;
}

/** An Organization with no workers: owner and admin only (anchors, gateways, OST Prime). */
function deployAdminOrganization(side: DeploySide): Promise<Deployed> {
  return deploy(side.owner, 'Organization', [side.owner.address, side.admin, [], 0]);
}

/** An Organization whitelisting the facilitator's workers (composer, redeem pool). */
function deployWorkerOrganization(side: DeploySide, workers: string[]): Promise<Deployed> {
  return deploy(side.owner, 'Organization', [side.owner.address, side.admin, workers, WORKERS_EXPIRATION_HEIGHT]);
}

/** An Anchor on `side` tracking `remote`, seeded with the remote chain's latest state root. */
async function deployAnchor(side: DeploySide, remote: ChainClient, organization: string): Promise<Deployed> {
  const remoteHead = await remote.getBlock('latest');
  return deploy(side.owner, 'Anchor', [remote.chainId, BigInt(remoteHead.number), remoteHead.stateRoot, MAX_STATE_ROOTS, organization]);
}

/** OST and the libraries on origin; OST exists first so `onValueToken` can seed it. */
async function deployOriginShared(options: DeployMosaicOptions): Promise<OriginShared> {
  const ost = await deploy(options.origin.owner, 'EIP20Token', ['OST', 'Simple Token', 18]);
  await options.onValueToken?.(ost.address);
  return { ost, originLibs: await deployLibraries(options.origin.owner) };
}

/** One pair's anchor, gateway and composer on origin. */
async function deployOriginContracts(options: DeployMosaicOptions, shared: OriginShared, auxiliary: DeploySide): Promise<OriginContracts> {
  const { origin } = options;
  const { ost, originLibs } = shared;
  const originOrg = await deployAdminOrganization(origin);
  const originAnchor = await deployAnchor(origin, auxiliary.client, originOrg.address);
  const gateway = await deploy(
    origin.owner,
    'EIP20Gateway',
    [ost.address, ost.address, originAnchor.address, options.bounty, originOrg.address, ZERO_ADDRESS, MAX_STORAGE_ROOT_ITEMS],
    originLibs.gatewayLinks,
  );
  const composerOrg = await deployWorkerOrganization(origin, options.workers);
  const composer = await deploy(origin.owner, 'OSTComposer', [composerOrg.address]);
  return { ost, originLibs, originOrg, originAnchor, gateway, composerOrg, composer };
}

/** OST Prime, initialized: `initialize()` must be paid exactly its TOKENS_MAX in base coin, read from the contract. */
async function deployOstPrime(auxiliary: DeploySide, ost: string, organization: string): Promise<Deployed> {
  const ostPrime = await deploy(auxiliary.owner, 'OSTPrime', [ost, organization]);
  const tokensMax = contractInterface('OSTPrime').decodeResult(
    'TOKENS_MAX',
    await auxiliary.client.call({ to: ostPrime.address, data: contractInterface('OSTPrime').encodeCall('TOKENS_MAX', []) }),
  )[0] as bigint;
  await auxiliary.owner.send(new OstPrime(auxiliary.client, ostPrime.address).initialize(tokensMax));
  return ostPrime;
}

/** OST Prime, its anchor, co-gateway and redeem pool on the auxiliary chain. */
async function deployAuxiliaryContracts(options: DeployMosaicOptions, originContracts: OriginContracts, auxiliary: DeploySide): Promise<AuxiliaryContracts> {
  const { origin } = options;
  const { ost, gateway } = originContracts;
  const auxOrg = await deployAdminOrganization(auxiliary);
  const auxAnchor = await deployAnchor(auxiliary, origin.client, auxOrg.address);
  const ostPrime = await deployOstPrime(auxiliary, ost.address, auxOrg.address);
  const auxLibs = await deployLibraries(auxiliary.owner);
  const coGateway = await deploy(
    auxiliary.owner,
    'EIP20CoGateway',
    [ost.address, ostPrime.address, auxAnchor.address, options.bounty, auxOrg.address, gateway.address, ZERO_ADDRESS, MAX_STORAGE_ROOT_ITEMS],
    auxLibs.gatewayLinks,
  );
  const redeemPoolOrg = await deployWorkerOrganization(auxiliary, options.workers);
  const redeemPool = await deploy(auxiliary.owner, 'RedeemPool', [redeemPoolOrg.address]);
  return { auxOrg, auxAnchor, ostPrime, auxLibs, coGateway, redeemPoolOrg, redeemPool };
}

/** Activates the gateway towards the co-gateway and lets OST Prime accept mints from the co-gateway. */
async function bindGatewayPair(
  options: DeployMosaicOptions,
  auxiliary: DeploySide,
  originContracts: OriginContracts,
  auxContracts: AuxiliaryContracts,
): Promise<void> {
  const { origin } = options;
  const coGateway = auxContracts.coGateway.address;
  await origin.owner.send(new Eip20Gateway(origin.client, originContracts.gateway.address).activateGateway(coGateway));
  await auxiliary.owner.send(new OstPrime(auxiliary.client, auxContracts.ostPrime.address).setCoGateway(coGateway));
}

/** One pair's entry of the mosaic-config; start blocks are the first contract deployed on each chain. */
function pairConfigOf(auxChainId: number, originContracts: OriginContracts, auxContracts: AuxiliaryContracts): AuxiliaryChainConfig {
  const { ost, originOrg, originAnchor, gateway, composerOrg, composer } = originContracts;
  const { auxOrg, auxAnchor, ostPrime, auxLibs, coGateway, redeemPoolOrg, redeemPool } = auxContracts;
  return {
    chainId: auxChainId,
    bootNodes: [],
    genesis: {},
    contractAddresses: {
      origin: {
        anchorOrganizationAddress: originOrg.address,
        anchorAddress: originAnchor.address,
        ostGatewayOrganizationAddress: originOrg.address,
        ostEIP20GatewayAddress: gateway.address,
        ostComposerOrganizationAddress: composerOrg.address,
        ostComposerAddress: composer.address,
      },
      auxiliary: {
        ostPrimeAddress: ostPrime.address,
        anchorOrganizationAddress: auxOrg.address,
        anchorAddress: auxAnchor.address,
        merklePatriciaLibAddress: auxLibs.merklePatriciaProof,
        gatewayLibAddress: auxLibs.gatewayLib,
        messageBusAddress: auxLibs.messageBus,
        ostCoGatewayOrganizationAddress: auxOrg.address,
        ostEIP20CogatewayAddress: coGateway.address,
        redeemPoolOrganizationAddress: redeemPoolOrg.address,
        redeemPoolAddress: redeemPool.address,
      },
    },
    startBlocks: { origin: ost.blockNumber, auxiliary: auxOrg.blockNumber },
  };
}

/** Owner nonces of the auxiliary chains after the first are set this far apart. */
const NONCE_SPACING = 1000;

/**
 * Moves the owner's nonce on the `index`-th auxiliary chain (anvil_setNonce) so its contracts get
 * addresses of their own: deployed from the same key in the same order, every auxiliary chain would
 * hold the same cogateway, anchor and redeem pool addresses, and they would meet origin's too, which
 * one facilitator database cannot tell apart. The first auxiliary chain is left as it is.
 */
async function separateAddresses(auxiliary: DeploySide, index: number): Promise<void> {
  if (index === 0) return;
  await auxiliary.client.rpc.request('anvil_setNonce', [auxiliary.owner.address, toQuantity(index * NONCE_SPACING)]);
}

/**
 * Deploys the complete Mosaic 0.12 set on origin and each auxiliary chain (a gateway pair per auxiliary
 * chain, OST and the origin libraries shared), in the order verified in shared/DESIGN.md §4, and
 * returns the mosaic-config describing every pair.
 */
export async function deployMosaic(options: DeployMosaicOptions): Promise<MosaicConfigShape> {
  const shared = await deployOriginShared(options);
  const auxiliaryChains: Record<string, AuxiliaryChainConfig> = {};
  for (const [index, auxiliary] of options.auxiliaries.entries()) {
    await separateAddresses(auxiliary, index);
    const originContracts = await deployOriginContracts(options, shared, auxiliary);
    const auxContracts = await deployAuxiliaryContracts(options, originContracts, auxiliary);
    await bindGatewayPair(options, auxiliary, originContracts, auxContracts);
    auxiliaryChains[String(auxiliary.client.chainId)] = pairConfigOf(auxiliary.client.chainId, originContracts, auxContracts);
  }
  return {
    version: MOSAIC_CONFIG_VERSION,
    originChain: {
      chainId: options.origin.client.chainId,
      contractAddresses: {
        simpleTokenAddress: shared.ost.address,
        merklePatriciaLibAddress: shared.originLibs.merklePatriciaProof,
        gatewayLibAddress: shared.originLibs.gatewayLib,
        messageBusAddress: shared.originLibs.messageBus,
      },
    },
    auxiliaryChains,
  };
}
