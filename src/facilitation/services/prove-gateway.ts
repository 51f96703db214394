import { MessageStatus } from '../../mosaic/message-status';
import type { FacilitationContext } from '../context';
import type { Route } from '../route';
import { Coalescer } from '../serial';
import { findStep, submitStep, unsettledSteps } from '../step-outbox';
import type { FacilitationStep } from '../steps';
import type { WorkerPool } from '../worker-pool';
import { recordLostDeclaration } from './lost-declaration';

/**
 * Proves the route's source gateway on the target chain at the latest anchored height, once per height
 * and only when declared messages wait for a proof at or above their declaration height. One proof
 * serves every message declared at or before that height, and only one is in flight at a time.
 * Stake: the origin gateway on the auxiliary chain; redeem: the cogateway on origin.
 */
export class ProveGatewayService {
  readonly trigger: Coalescer;
  /**
   * The last run found declared messages above the anchored height. Only a hint of when to look again
   * (on each new head of the target chain, see FacilitationEngine): the anchor is read on chain every run.
   */
  waitsForAnchor = false;
  /** The height of the last proof this service queued (which outbox record to look at; see provenHeight). */
  private lastQueued: bigint | undefined;

  constructor(
    private readonly context: FacilitationContext,
    private readonly route: Route,
    private readonly workers: WorkerPool,
  ) {
    this.trigger = new Coalescer(() => this.run());
  }

  private async run(): Promise<void> {
    const { store, policy, logger } = this.context;
    const { route } = this;
    const waiting = (await store.messagesInState(['DECLARED'])).filter(
      (m) => m.direction === route.direction && m.gateway === this.context.origin.gateway.address && m.declarationHeight !== undefined,
    );
    if (waiting.length === 0) return;
    // One proof in flight at a time: messages declared meanwhile share the next proof, taken at the
    // latest anchor once this one settles, instead of one proof per new anchor. The outbox says which
    // is in flight (never memory: a restart or a failed write after the outcome would leave it stale).
    // Asked before the proven height: a proof settling in between is then already counted in it.
    if (await this.proofInFlight()) return;
    const proven = await this.provenHeight();
    const unproven = waiting.filter((m) => m.declarationHeight! > proven);
    if (unproven.length === 0) return;

    // The on-chain anchor is the truth; the store may lag behind the subgraph.
    const anchored = await route.targetAnchor.latestStateRootBlockHeight();
    await store.recordAnchoredHeight(route.targetAnchor.address, this.targetChainId(), anchored);
    const lowest = unproven.reduce((min, m) => (m.declarationHeight! < min ? m.declarationHeight! : min), unproven[0].declarationHeight!);
    this.waitsForAnchor = anchored < lowest;
    if (this.waitsForAnchor) return; // wait for the anchor to pass the declaration

    const worker = await this.workers.choose({ minGasBalance: policy.minWorkerGasBalance });
    if (!worker) {
      logger.warn({ direction: route.direction, chain: route.target.name }, 'no worker has enough gas to prove the gateway; will retry');
      return;
    }
    // The same eth_getProof reads the messages' outbox slots: a message Undeclared at a height at or
    // above its declaration lost it to a reorg, and is no reason to prove (see recordLostDeclaration).
    const covered = unproven.filter((m) => m.declarationHeight! <= anchored);
    const proof = await route.proveOutbox(covered.map((m) => m.messageHash), anchored);
    const lost = covered.filter((_, index) => proof.storage[index].value === BigInt(MessageStatus.Undeclared));
    for (const message of lost) await recordLostDeclaration(this.context, route, message, logger.child({ messageHash: message.messageHash }));
    if (lost.length === covered.length) return;
    const { record, created } = await submitStep(route.target.engine, worker, route.proveStep(anchored), route.proveCall(proof));
    this.lastQueued = anchored;
    const fields = { direction: route.direction, gateway: route.sourceGateway.address, height: anchored.toString() };
    if (created) {
      logger.info({ ...fields, messages: covered.filter((m) => !lost.includes(m)).map((m) => m.messageHash), worker }, `${route.names.prove} queued`);
    } else if (record.status === 'failed') {
      logger.warn({ ...fields, error: record.lastError }, `${route.names.prove} at this height failed before; waiting for a higher anchor`);
    }
  }

  /**
   * The highest height proven: the store's, or the last proof's once the outbox has it mined (then
   * recorded, as its outcome does). The engine marks a proof mined a moment before its outcome records the
   * height: a run in between found no proof in flight and the old height, and proved the same messages
   * again (seen under load). A lost write of that outcome is made good here too.
   */
  private async provenHeight(): Promise<bigint> {
    const { store } = this.context;
    const { route } = this;
    const recorded = (await store.getGateway(route.sourceGateway.address))?.lastProvenHeight ?? 0n;
    const last = this.lastQueued;
    if (last === undefined || last <= recorded) return recorded;
    if ((await findStep(route.target.engine, route.proveStep(last)))?.status !== 'mined') return recorded;
    await store.recordGatewayProven(route.sourceGateway.address, route.targetGateway.address, last);
    return last;
  }

  private targetChainId(): number {
    return this.route.target.name === 'origin' ? this.context.origin.chainId : this.context.auxiliary.chainId;
  }

  /** Whether a proof of this route's gateway is still queued or in flight in the outbox. */
  private async proofInFlight(): Promise<boolean> {
    const unsettled = await unsettledSteps(this.route.target.engine, this.route.proveStep(0n).kind);
    return unsettled.some(({ step }) => provenGatewayOf(step) === this.route.sourceGateway.address);
  }
}

/** The gateway a proof step proves (the origin gateway for stakes, the cogateway for redeems). */
function provenGatewayOf(step: FacilitationStep): string | undefined {
  if (step.kind === 'prove') return step.gateway;
  if (step.kind === 'proveCoGateway') return step.coGateway;
  return undefined;
}
