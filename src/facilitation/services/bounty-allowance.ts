import type { FacilitationContext } from '../context';
import { Coalescer } from '../serial';
import { submitStep } from '../step-outbox';

/** Keeps each origin worker's bounty allowance to the composer ahead of its accepts. */
export class BountyAllowance {
  /**
   * Checks of one worker in turn, so concurrent accepts do not each queue an approval; accepts arriving
   * while a check runs share the next one (it counts them all: their messages are ACCEPTING by then). One
   * check per accept in turn took 25 accepts of a worker through 25 scans and allowance reads in a row.
   */
  private readonly checks = new Map<string, Coalescer>();
  /** The bounty the latest accept of each worker locks (the gateway's; the next check covers it). */
  private readonly bounties = new Map<string, bigint>();
  /** A bounty approval of each worker on its way, if any. */
  private readonly pendingApprovals = new Map<string, Promise<void>>();

  constructor(private readonly context: FacilitationContext) {}

  /** Resolves once `worker`'s allowance covers its unmined accepts, this one included. */
  cover(worker: string, bounty: bigint): Promise<void> {
    this.bounties.set(worker, bounty);
    let check = this.checks.get(worker);
    if (!check) this.checks.set(worker, (check = new Coalescer(() => this.ensure(worker, this.bounties.get(worker)!))));
    return check.trigger();
  }

  /**
   * acceptStakeRequest pulls the bounty with transferFrom, so the allowance must cover every accept of
   * this worker not yet mined (they may all land in one block), this one included. The allowance is
   * topped up before it runs dry (below half a batch of headroom), to what is left plus the unmined
   * accepts plus a batch: approve overwrites, and accepts sent while the top-up is pending are bounded
   * by what is left, so every order of mining stays covered. Only an accept the current allowance does
   * not cover waits for the approval to be mined (so its simulation sees it).
   */
  private async ensure(worker: string, bounty: bigint): Promise<void> {
    const { origin, policy, store } = this.context;
    const unmined = BigInt((await store.messagesInState(['ACCEPTING'])).filter((m) => m.worker === worker).length);
    const needed = bounty * (unmined > 0n ? unmined : 1n);
    const batch = bounty * policy.bountyAllowanceBatch;
    const allowance = await origin.valueToken.allowance(worker, origin.composer.address);
    if (allowance >= needed + batch / 2n) return;
    let approval = this.pendingApprovals.get(worker);
    if (!approval) {
      approval = this.approve(worker, allowance, allowance + needed + batch, unmined).finally(() => this.pendingApprovals.delete(worker));
      this.pendingApprovals.set(worker, approval);
    }
    if (allowance >= needed) {
      approval.catch(() => undefined); // a failed top-up is retried by the next accept that needs it
      return;
    }
    await approval;
  }

  private async approve(worker: string, allowance: bigint, amount: bigint, unmined: bigint): Promise<void> {
    const { origin, logger } = this.context;
    const call = origin.valueToken.approve(origin.composer.address, amount);
    const { record } = await submitStep(origin.engine, worker, { kind: 'approveBounty', worker, allowance, at: Date.now() }, call);
    logger.info({ worker, amount: amount.toString(), unminedAccepts: Number(unmined) }, 'bounty allowance approval queued');
    const outcome = await origin.engine.waitFor(record.id);
    if (outcome.status !== 'mined' || outcome.lastError) {
      throw new Error(`bounty approval for ${worker} failed: ${outcome.lastError ?? 'unknown reason'}`);
    }
  }
}
