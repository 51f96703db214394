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

/**
 * Deploys the complete Mosaic 0.12 set on two chains, in the order verified in shared/DESIGN.md §4,
 * and returns the mosaic-config describing it.
 */
export async function deployMosaic(options: DeployMosaicOptions): Promise<MosaicConfigShape> {
  const { origin, auxiliary } = options;
  const originChainId = origin.client.chainId;
  const auxChainId = auxiliary.client.chainId;
  const farFuture = 1_000_000_000n;

  // ---- origin ----
  const ost = await deploy(origin.owner, 'EIP20Token', ['OST', 'Simple Token', 18]);
  await options.onValueToken?.(ost.address);
  const originOrg = await deploy(origin.owner, 'Organization', [origin.owner.address, origin.admin, [], 0]);
  const auxHead = await auxiliary.client.getBlock('latest');
  const originAnchor = await deploy(origin.owner, 'Anchor', [
    auxChainId,
    BigInt(auxHead.number),
    auxHead.stateRoot,
    MAX_STATE_ROOTS,
    originOrg.address,
  ]);
  const originLibs = await deployLibraries(origin.owner);
  const gateway = await deploy(
    origin.owner,
    'EIP20Gateway',
    [ost.address, ost.address, originAnchor.address, options.bounty, originOrg.address, ZERO_ADDRESS, MAX_STORAGE_ROOT_ITEMS],
    originLibs.gatewayLinks,
  );
  const composerOrg = await deploy(origin.owner, 'Organization', [
    origin.owner.address,
    origin.admin,
    options.workers,
    farFuture,
  ]);
  const composer = await deploy(origin.owner, 'OSTComposer', [composerOrg.address]);

  // ---- auxiliary ----
  const auxOrg = await deploy(auxiliary.owner, 'Organization', [auxiliary.owner.address, auxiliary.admin, [], 0]);
  const originHead = await origin.client.getBlock('latest');
  const auxAnchor = await deploy(auxiliary.owner, 'Anchor', [
    originChainId,
    BigInt(originHead.number),
    originHead.stateRoot,
    MAX_STATE_ROOTS,
    auxOrg.address,
  ]);
  const ostPrime = await deploy(auxiliary.owner, 'OSTPrime', [ost.address, auxOrg.address]);
  const ostPrimeContract = new OstPrime(auxiliary.client, ostPrime.address);
  const tokensMax = contractInterface('OSTPrime').decodeResult(
    'TOKENS_MAX',
    await auxiliary.client.call({ to: ostPrime.address, data: contractInterface('OSTPrime').encodeCall('TOKENS_MAX', []) }),
  )[0] as bigint;
  await auxiliary.owner.send(ostPrimeContract.initialize(tokensMax));
  const auxLibs = await deployLibraries(auxiliary.owner);
  const coGateway = await deploy(
    auxiliary.owner,
    'EIP20CoGateway',
    [
      ost.address,
      ostPrime.address,
      auxAnchor.address,
      options.bounty,
      auxOrg.address,
      gateway.address,
      ZERO_ADDRESS,
      MAX_STORAGE_ROOT_ITEMS,
    ],
    auxLibs.gatewayLinks,
  );
  const redeemPoolOrg = await deploy(auxiliary.owner, 'Organization', [
    auxiliary.owner.address,
    auxiliary.admin,
    options.workers,
    farFuture,
  ]);
  const redeemPool = await deploy(auxiliary.owner, 'RedeemPool', [redeemPoolOrg.address]);

  // ---- bind the pair ----
  await origin.owner.send(new Eip20Gateway(origin.client, gateway.address).activateGateway(coGateway.address));
  await auxiliary.owner.send(ostPrimeContract.setCoGateway(coGateway.address));

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
