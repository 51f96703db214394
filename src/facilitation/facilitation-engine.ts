import { merge, type Subscription } from 'rxjs';
import { describeError } from '../logging/safe-error';
import type { FacilitationContext } from './context';
import type { FacilitationChange } from './model';
import { applyOutcome } from './outcomes';
import { AcceptStakeRequestService } from './services/accept-stake-request';
import { ConfirmStakeIntentService } from './services/confirm-stake-intent';
import { ProgressService } from './services/progress';
import { ProveGatewayService } from './services/prove-gateway';
import { SerialQueue } from './serial';
import type { StakeEffect, StateChange } from './stake/transition';
import { WorkerPool } from './worker-pool';

export interface FacilitationEngineOptions {
  /** Every this often, all services re-derive their work from the database (recovers anything missed). */
  reconcileIntervalMs: number;
}

/**
 * The stake-and-mint state machine: model change observables and transaction outcomes trigger the
 * service of the next step; a periodic reconcile re-runs every service from the database.
 */
export class FacilitationEngine {
  private readonly accept: AcceptStakeRequestService;
  private readonly prove: ProveGatewayService;
  private readonly confirm: ConfirmStakeIntentService;
  private readonly progress: ProgressService;
  private readonly outcomes = new SerialQueue();
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly context: FacilitationContext,
    private readonly options: FacilitationEngineOptions,
  ) {
    const originWorkers = new WorkerPool(context.origin.engine.workers(), context.origin.client, context.origin.valueToken);
    const auxiliaryWorkers = new WorkerPool(context.auxiliary.engine.workers(), context.auxiliary.client);
    this.accept = new AcceptStakeRequestService(context, originWorkers);
    this.prove = new ProveGatewayService(context, auxiliaryWorkers);
    this.confirm = new ConfirmStakeIntentService(context, auxiliaryWorkers);
    this.progress = new ProgressService(context, originWorkers, auxiliaryWorkers);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const { store, origin, auxiliary } = this.context;
    this.subscription = store.changes$.subscribe((change) => {
      if (!this.stopped) this.onChange(change);
    });
    this.subscription.add(
      merge(origin.engine.outcomes$, auxiliary.engine.outcomes$).subscribe((outcome) => {
        const hooks = {
          onProofSettled: () => this.guard(this.prove.trigger.trigger()), // messages declared meanwhile get the next proof
          onAcceptFailed: (stakeRequestHash: string) => this.guard(this.accept.retry(stakeRequestHash)),
        };
        this.guard(this.outcomes.run(() => applyOutcome(this.context, outcome, hooks)));
      }),
    );
    this.timer = setInterval(() => this.reconcile(), this.options.reconcileIntervalMs);
    this.reconcile();
  }

  /** The one switch from model changes to the services they make due. */
  private onChange(change: FacilitationChange): void {
    switch (change.kind) {
      case 'stake':
        for (const stateChange of change.transition.changes) this.logStateChange(stateChange);
        for (const effect of change.transition.effects) this.run(effect);
        break;
      case 'gateway':
        this.run({ kind: 'confirm' });
        break;
      case 'anchor':
        this.run({ kind: 'prove' });
        break;
    }
  }

  private run(effect: StakeEffect): void {
    switch (effect.kind) {
      case 'accept':
        this.guard(this.accept.handle(effect.stakeRequestHash));
        break;
      case 'prove':
        this.guard(this.prove.trigger.trigger());
        break;
      case 'confirm':
        this.guard(this.confirm.trigger.trigger());
        break;
      case 'progress':
        this.guard(this.progress.trigger.trigger());
        break;
    }
  }

  private logStateChange(change: StateChange): void {
    const key = change.record === 'request' ? 'stakeRequestHash' : 'messageHash';
    this.context.logger.info({ [key]: change.hash, from: change.from, reason: change.reason }, `${change.record} state ${change.to}`);
  }

  /** Stops triggering new work and waits for the steps under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.subscription?.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    await Promise.all([
      this.accept.idle(),
      this.prove.trigger.idle(),
      this.confirm.trigger.idle(),
      this.progress.trigger.idle(),
      this.outcomes.idle(),
    ]);
  }

  /** Re-derives all work from the database. */
  reconcile(): void {
    if (this.stopped) return;
    this.guard(
      (async () => {
        const pending = await this.context.store.stakeRequestsInState(['REQUESTED', 'ACCEPTING']);
        for (const request of pending) await this.accept.handle(request.stakeRequestHash);
      })(),
    );
    this.runSteps();
  }

  private runSteps(): void {
    this.guard(this.prove.trigger.trigger());
    this.guard(this.confirm.trigger.trigger());
    this.guard(this.progress.trigger.trigger());
  }

  private guard(work: Promise<unknown>): void {
    work.catch((error: unknown) => {
      this.context.logger.warn({ err: describeError(error) }, 'facilitation step failed; will retry');
    });
  }
}
