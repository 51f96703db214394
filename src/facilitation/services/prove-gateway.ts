import { MessageStatus } from '../../mosaic/message-status';
import { proveGatewayOutbox } from '../../mosaic/stake-proofs';
import type { FacilitationContext } from '../context';
import { Coalescer } from '../serial';
import type { WorkerPool } from '../worker-pool';
import { recordLostDeclaration } from './lost-declaration';

export const PROVE_PURPOSE = 'proveGateway';

/**
 * Proves the origin gateway's storage on the auxiliary chain at the latest anchored height, once per
 * height and only when declared messages wait for a proof at or above their declaration height.
 * One proof serves every message declared at or before that height, and only one is in flight at a time.
 */
export class ProveGatewayService {
  readonly trigger: Coalescer;
  private provingHeight: bigint | undefined;
  /** Whether provingHeight was read back from the outbox once (the memory of a previous process is gone). */
  private restored = false;

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
    // latest anchor once this one settles, instead of one proof per new anchor.
    if (!this.restored) {
      this.provingHeight = await this.unsettledProofHeight(); // a proof queued before a restart
      this.restored = true;
    }
    if (this.provingHeight !== undefined) return;

    const worker = await this.workers.choose({ minGasBalance: policy.minWorkerGasBalance });
    if (!worker) {
      logger.warn('no auxiliary worker has enough gas to prove the gateway; will retry');
      return;
    }
    // The same eth_getProof reads the messages' outbox slots: a message Undeclared at a height at or
    // above its declaration lost it to a reorg, and is no reason to prove (see recordLostDeclaration).
    const covered = unproven.filter((m) => m.declarationHeight! <= anchored);
    const proof = await proveGatewayOutbox(origin.client, origin.gateway, covered.map((m) => m.messageHash), anchored);
    const lost = covered.filter((_, index) => proof.storage[index].value === BigInt(MessageStatus.Undeclared));
    for (const message of lost) await recordLostDeclaration(this.context, message, logger.child({ messageHash: message.messageHash }));
    if (lost.length === covered.length) return;
    const call = auxiliary.coGateway.proveGateway(anchored, proof.rlpAccount, proof.rlpAccountParentNodes);
    const { record, created } = await auxiliary.engine.submit({
      worker,
      purpose: PROVE_PURPOSE,
      subject: `${origin.gateway.address}@${anchored}`,
      to: call.to,
      data: call.data,
      value: 0n,
      gas: call.gas,
    });
    if (created) {
      this.provingHeight = anchored;
      logger.info(
        { height: anchored.toString(), messages: covered.filter((m) => !lost.includes(m)).map((m) => m.messageHash), worker },
        'proveGateway queued',
      );
    } else if (record.status === 'failed') {
      logger.warn({ height: anchored.toString(), error: record.lastError }, 'proveGateway at this height failed before; waiting for a higher anchor');
    }
  }

  /** The highest height of a proof still queued or in flight in the outbox. */
  private async unsettledProofHeight(): Promise<bigint | undefined> {
    const heights = (await this.context.auxiliary.engine.unsettled(PROVE_PURPOSE)).map((r) => BigInt(r.subject.split('@')[1]));
    return heights.length === 0 ? undefined : heights.reduce((max, h) => (h > max ? h : max));
  }

  /** After a proof at `height` is mined (or failed), a later anchor may be proven again. */
  settled(height: bigint): void {
    if (this.provingHeight !== undefined && this.provingHeight <= height) this.provingHeight = undefined;
  }
}
