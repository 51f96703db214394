import type { RpcReceipt } from '../chain/chain-client';
import { contractInterface, type Eip20CoGateway } from '../mosaic/contracts';
import { generateHashLock } from '../mosaic/hashes';
import { confirmRedeemIntentCall, proveCoGatewayCall, proveCoGatewayOutbox, ProofRootMismatchError } from '../mosaic/redeem-proofs';
import type { AccountProof } from '../chain/proofs';
import type { RedeemDefaults, RequestedRedeem } from './demo-redeemer';
import { requestRedeemOnDevnet } from './devnet-redeem';
import type { Devnet } from './devnet';
import { devnetContracts } from './devnet-contracts';

export interface ScriptedRedeemResult {
  request: RequestedRedeem;
  messageHash: string;
  unlockSecret: string;
  hashLock: string;
  /** Auxiliary block of RedeemIntentDeclared. */
  declarationBlock: bigint;
  /** Auxiliary height anchored on origin and proven there (≥ declarationBlock). */
  provenHeight: bigint;
  /** performance.now() when RedeemRequested was mined (receipt seen) and when UnstakeProgressed was. */
  requestedAtMs: number;
  unstakedAtMs: number;
  receipts: Record<'acceptRedeemRequest' | 'proveGateway' | 'confirmRedeemIntent' | 'progressRedeem' | 'progressUnstake', RpcReceipt>;
}

export interface ScriptedRedeemOptions extends Partial<RedeemDefaults> {
  /** A devnet account holding (or able to wrap) the OSTPrime to redeem. */
  redeemer: string;
  /** A worker whitelisted in the redeem pool's organization. */
  worker: string;
  beneficiary?: string;
  /** How long to wait for the relay to anchor the declaration on origin. */
  anchorTimeoutMs?: number;
}

/**
 * Waits until the origin Anchor holds an auxiliary state root at `minHeight` or above and returns that
 * height. With the devnet's relay timer off (tests), anchors once through the relay itself.
 */
export async function waitForOriginAnchor(devnet: Devnet, minHeight: bigint, timeoutMs: number): Promise<bigint> {
  const { originAnchor } = devnetContracts(devnet);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const anchored = await originAnchor.latestStateRootBlockHeight();
    if (anchored >= minHeight) return anchored;
    if (Date.now() > deadline) throw new Error(`origin anchor still at auxiliary height ${anchored} after ${timeoutMs} ms; waited for ${minHeight}`);
    if (devnet.info.anchorIntervalMs === 0) await devnet.relay.anchorOnce();
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The cogateway proof at `height`, once more after the next block when anvil answered for another state. */
async function proveAnchoredHeight(devnet: Devnet, coGateway: Eip20CoGateway, messageHash: string, height: bigint): Promise<AccountProof> {
  try {
    return await proveCoGatewayOutbox(devnet.auxiliary.client, coGateway, [messageHash], height);
  } catch (error) {
    if (!(error instanceof ProofRootMismatchError)) throw error;
    await devnet.auxiliary.nextBlock();
    return proveCoGatewayOutbox(devnet.auxiliary.client, coGateway, [messageHash], height);
  }
}

/**
 * The whole redeem & unstake sent directly, step after step, with no indexing and no database:
 * requestRedeem → acceptRedeemRequest → (relay anchors aux into origin) → proveGateway → confirmRedeemIntent
 * → progressRedeem (aux) → progressUnstake (origin). The redeemer needs OSTPrime: a stake & mint first.
 */
export async function scriptedRedeemAndUnstake(devnet: Devnet, options: ScriptedRedeemOptions): Promise<ScriptedRedeemResult> {
  const { redeemPool: pool, coGateway, gateway } = devnetContracts(devnet);
  const workerAux = devnet.auxiliarySender(options.worker);
  const workerOrigin = devnet.originSender(options.worker);

  const request = await requestRedeemOnDevnet(devnet, options.redeemer, {
    beneficiary: options.beneficiary,
    amount: options.amount,
    gasPrice: options.gasPrice,
    gasLimit: options.gasLimit,
  });
  const requestedAtMs = performance.now();

  const { unlockSecret, hashLock } = generateHashLock();
  const acceptRedeemRequest = await workerAux.send(pool.acceptRedeemRequest({ ...request, hashLock }, await coGateway.bounty()));
  const declared = contractInterface('EIP20CoGateway')
    .decodeLogs(acceptRedeemRequest.logs, coGateway.address)
    .find((e) => e.name === 'RedeemIntentDeclared');
  if (!declared) throw new Error('acceptRedeemRequest emitted no RedeemIntentDeclared');
  const messageHash = String(declared.args._messageHash).toLowerCase();
  const declarationBlock = BigInt(acceptRedeemRequest.blockNumber);

  const provenHeight = await waitForOriginAnchor(devnet, declarationBlock, options.anchorTimeoutMs ?? 30_000);
  const proof = await proveAnchoredHeight(devnet, coGateway, messageHash, provenHeight);
  const proveGateway = await workerOrigin.send(proveCoGatewayCall(gateway, proof));
  const confirmRedeemIntent = await workerOrigin.send(
    confirmRedeemIntentCall(gateway, { ...request, messageHash, hashLock }, proof, 0),
  );
  const [progressRedeem, progressUnstake] = await Promise.all([
    workerAux.send(coGateway.progressRedeem(messageHash, unlockSecret)),
    workerOrigin.send(gateway.progressUnstake(messageHash, unlockSecret)),
  ]);
  const unstakedAtMs = performance.now();

  return {
    request,
    messageHash,
    unlockSecret,
    hashLock,
    declarationBlock,
    provenHeight,
    requestedAtMs,
    unstakedAtMs,
    receipts: { acceptRedeemRequest, proveGateway, confirmRedeemIntent, progressRedeem, progressUnstake },
  };
}
