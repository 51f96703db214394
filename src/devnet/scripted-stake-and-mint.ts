import type { RpcReceipt } from '../chain/chain-client';
import { contractInterface } from '../mosaic/contracts';
import { generateHashLock } from '../mosaic/hashes';
import { confirmStakeIntentCall, proveGatewayCall, proveGatewayOutbox } from '../mosaic/stake-proofs';
import { requestStake, type RequestedStake, type StakeDefaults } from './demo-staker';
import type { Devnet } from './devnet';
import { devnetContracts } from './devnet-contracts';

export interface ScriptedFlowResult {
  request: RequestedStake;
  messageHash: string;
  unlockSecret: string;
  hashLock: string;
  declarationBlock: bigint;
  provenHeight: bigint;
  /** performance.now() when StakeRequested was mined (receipt seen) and when MintProgressed was. */
  requestedAtMs: number;
  mintedAtMs: number;
  receipts: Record<
    'acceptStakeRequest' | 'anchorStateRoot' | 'proveGateway' | 'confirmStakeIntent' | 'progressStake' | 'progressMint',
    RpcReceipt
  >;
}

/**
 * The whole stake & mint sent directly, step after step, with no indexing and no database:
 * requestStake → acceptStakeRequest → anchor → proveGateway → confirmStakeIntent → progressStake → progressMint.
 * It is the floor the facilitator's latency is measured against, and the protocol layer's end-to-end check.
 */
export async function scriptedStakeAndMint(
  devnet: Devnet,
  options: { staker: string; worker: string; beneficiary?: string } & Partial<StakeDefaults>,
): Promise<ScriptedFlowResult> {
  const admin = devnet.info.accounts.find((a) => a.role === 'admin');
  if (!admin) throw new Error('devnet has no admin account');
  const originClient = devnet.origin.client;
  const { composer, gateway, coGateway, auxAnchor, ost } = devnetContracts(devnet);
  const workerOrigin = devnet.originSender(options.worker);
  const workerAux = devnet.auxiliarySender(options.worker);

  const request = await requestStake({
    client: originClient,
    composer: composer.address,
    gateway: gateway.address,
    valueToken: ost.address,
    staker: devnet.originSender(options.staker),
    beneficiary: options.beneficiary,
    amount: options.amount,
    gasPrice: options.gasPrice,
    gasLimit: options.gasLimit,
  });

  const requestedAtMs = performance.now();
  const { unlockSecret, hashLock } = generateHashLock();
  await workerOrigin.send(ost.approve(composer.address, await gateway.bounty()));
  const acceptStakeRequest = await workerOrigin.send(
    composer.acceptStakeRequest({ ...request, staker: request.staker, hashLock }),
  );
  const declared = contractInterface('EIP20Gateway')
    .decodeLogs(acceptStakeRequest.logs, gateway.address)
    .find((e) => e.name === 'StakeIntentDeclared');
  if (!declared) throw new Error('acceptStakeRequest emitted no StakeIntentDeclared');
  const messageHash = String(declared.args._messageHash);
  const declarationBlock = BigInt(acceptStakeRequest.blockNumber);

  const head = await originClient.getBlock('latest');
  const provenHeight = BigInt(head.number);
  const anchorStateRoot = await devnet.auxiliarySender(admin.address).send(auxAnchor.anchorStateRoot(provenHeight, head.stateRoot));

  const proof = await proveGatewayOutbox(originClient, gateway, [messageHash], provenHeight);
  const proveGateway = await workerAux.send(proveGatewayCall(coGateway, proof));
  const confirmStakeIntent = await workerAux.send(
    confirmStakeIntentCall(coGateway, { ...request, messageHash, hashLock }, proof, 0),
  );
  const progressStake = await workerOrigin.send(gateway.progressStake(messageHash, unlockSecret));
  const progressMint = await workerAux.send(coGateway.progressMint(messageHash, unlockSecret));
  const mintedAtMs = performance.now();

  return {
    request,
    messageHash,
    unlockSecret,
    hashLock,
    declarationBlock,
    provenHeight,
    requestedAtMs,
    mintedAtMs,
    receipts: { acceptStakeRequest, anchorStateRoot, proveGateway, confirmStakeIntent, progressStake, progressMint },
  };
}
