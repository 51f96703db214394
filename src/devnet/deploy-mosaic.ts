import type { ChainClient } from '../chain/chain-client';
import type { DirectSender } from '../chain/direct-sender';
import { MOSAIC_CONFIG_VERSION, type MosaicConfigShape } from '../config/mosaic-config';
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
  auxiliary: DeploySide;
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

interface OriginContracts {
  ost: Deployed;
  originOrg: Deployed;
  originAnchor: Deployed;
  originLibs: Libraries;
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

/** OST, its anchor, gateway and composer on origin; OST exists first so `onValueToken` can seed it. */
async function deployOriginContracts(options: DeployMosaicOptions): Promise<OriginContracts> {
  const { origin, auxiliary } = options;
  const ost = await deploy(origin.owner, 'EIP20Token', ['OST', 'Simple Token', 18]);
  await options.onValueToken?.(ost.address);
  const originOrg = await deployAdminOrganization(origin);
  const originAnchor = await deployAnchor(origin, auxiliary.client, originOrg.address);
  const originLibs = await deployLibraries(origin.owner);
  const gateway = await deploy(
    origin.owner,
    'EIP20Gateway',
    [ost.address, ost.address, originAnchor.address, options.bounty, originOrg.address, ZERO_ADDRESS, MAX_STORAGE_ROOT_ITEMS],
    originLibs.gatewayLinks,
  );
  const composerOrg = await deployWorkerOrganization(origin, options.workers);
  const composer = await deploy(origin.owner, 'OSTComposer', [composerOrg.address]);
  return { ost, originOrg, originAnchor, originLibs, gateway, composerOrg, composer };
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
async function deployAuxiliaryContracts(options: DeployMosaicOptions, originContracts: OriginContracts): Promise<AuxiliaryContracts> {
  const { origin, auxiliary } = options;
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
async function bindGatewayPair(options: DeployMosaicOptions, originContracts: OriginContracts, auxContracts: AuxiliaryContracts): Promise<void> {
  const { origin, auxiliary } = options;
  const coGateway = auxContracts.coGateway.address;
  await origin.owner.send(new Eip20Gateway(origin.client, originContracts.gateway.address).activateGateway(coGateway));
  await auxiliary.owner.send(new OstPrime(auxiliary.client, auxContracts.ostPrime.address).setCoGateway(coGateway));
}

/** The mosaic-config describing both sides; start blocks are the first contract deployed on each chain. */
function mosaicConfigOf(originChainId: number, auxChainId: number, originContracts: OriginContracts, auxContracts: AuxiliaryContracts): MosaicConfigShape {
  const { ost, originOrg, originAnchor, originLibs, gateway, composerOrg, composer } = originContracts;
  const { auxOrg, auxAnchor, ostPrime, auxLibs, coGateway, redeemPoolOrg, redeemPool } = auxContracts;
  return {
    version: MOSAIC_CONFIG_VERSION,
    originChain: {
      chainId: originChainId,
      contractAddresses: {
        simpleTokenAddress: ost.address,
        merklePatriciaLibAddress: originLibs.merklePatriciaProof,
        gatewayLibAddress: originLibs.gatewayLib,
        messageBusAddress: originLibs.messageBus,
      },
    },
    auxiliaryChains: {
      [String(auxChainId)]: {
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
      },
    },
  };
}

/**
 * Deploys the complete Mosaic 0.12 set on two chains, in the order verified in shared/DESIGN.md §4,
 * and returns the mosaic-config describing it.
 */
export async function deployMosaic(options: DeployMosaicOptions): Promise<MosaicConfigShape> {
  const originContracts = await deployOriginContracts(options);
  const auxContracts = await deployAuxiliaryContracts(options, originContracts);
  await bindGatewayPair(options, originContracts, auxContracts);
  return mosaicConfigOf(options.origin.client.chainId, options.auxiliary.client.chainId, originContracts, auxContracts);
}
