import { MessageStatus } from '../../mosaic/message-status';
import type { FacilitationContext } from '../context';
import { Coalescer } from '../serial';
import { submitStep, unsettledSteps } from '../step-outbox';
import type { WorkerPool } from '../worker-pool';
import { recordLostDeclaration } from './lost-declaration';

/**
 * Proves the origin gateway's storage on the auxiliary chain at the latest anchored height, once per
 * height and only when declared messages wait for a proof at or above their declaration height.
 * One proof serves every message declared at or before that height, and only one is in flight at a time.
 */
export class ProveGatewayService {
  readonly trigger: Coalescer;

  constructor(
    private readonly context: FacilitationContext,
    private readonly workers: WorkerPool,
  ) {
    this.trigger = new Coalescer(() => this.run());
  }

  private async run(): Promise<void> {
    const { store, origin, auxiliary, policy, logger } = this.context;
    const waiting = (await store.messagesInState(['DECLARED'])).filter(
      (m) => m.gateway === origin.gateway.address && m.declarationHeight !== undefined,
    );
    if (waiting.length === 0) return;
    const proven = (await store.getGateway(origin.gateway.address))?.lastProvenHeight ?? 0n;
    const unproven = waiting.filter((m) => m.declarationHeight! > proven);
    if (unproven.length === 0) return;

    // The on-chain anchor is the truth; the store may lag behind the subgraph.
    const anchored = await auxiliary.anchor.latestStateRootBlockHeight();
    await store.recordAnchoredHeight(auxiliary.anchor.address, auxiliary.chainId, anchored);
    const lowest = unproven.reduce((min, m) => (m.declarationHeight! < min ? m.declarationHeight! : min), unproven[0].declarationHeight!);
    if (anchored < lowest) return; // wait for the anchor to pass the declaration
    // One proof in flight at a time: messages declared meanwhile share the next proof, taken at the
    // latest anchor once this one settles, instead of one proof per new anchor. The outbox says which
    // is in flight (never memory: a restart or a failed write after the outcome would leave it stale).
    if (await this.proofInFlight()) return;

    const worker = await this.workers.choose({ minGasBalance: policy.minWorkerGasBalance });
    if (!worker) {
      logger.warn('no auxiliary worker has enough gas to prove the gateway; will retry');
      return;
    }
    // The same eth_getProof reads the messages' outbox slots: a message Undeclared at a height at or
    // above its declaration lost it to a reorg, and is no reason to prove (see recordLostDeclaration).
    const covered = unproven.filter((m) => m.declarationHeight! <= anchored);
    const proof = await this.context.proofs.gatewayOutbox(covered.map((m) => m.messageHash), anchored);
    const lost = covered.filter((_, index) => proof.storage[index].value === BigInt(MessageStatus.Undeclared));
    for (const message of lost) await recordLostDeclaration(this.context, message, logger.child({ messageHash: message.messageHash }));
    if (lost.length === covered.length) return;
    const call = auxiliary.coGateway.proveGateway(anchored, proof.rlpAccount, proof.rlpAccountParentNodes);
    const { record, created } = await submitStep(auxiliary.engine, worker, { kind: 'prove', gateway: origin.gateway.address, height: anchored }, call);
    if (created) {
      logger.info(
        { height: anchored.toString(), messages: covered.filter((m) => !lost.includes(m)).map((m) => m.messageHash), worker },
        'proveGateway queued',
      );
    } else if (record.status === 'failed') {
      logger.warn({ height: anchored.toString(), error: record.lastError }, 'proveGateway at this height failed before; waiting for a higher anchor');
    }
  }

  /** Whether a proof of this gateway is still queued or in flight in the outbox. */
  private async proofInFlight(): Promise<boolean> {
    const gateway = this.context.origin.gateway.address;
    return (await unsettledSteps(this.context.auxiliary.engine, 'prove')).some(({ step }) => step.gateway === gateway);
  }
}
