import { filter, merge, type Subscription } from 'rxjs';
import type { TransactionOutcome } from '../chain/tx-engine/transaction-engine';
import { describeError } from '../logging/safe-error';
import type { FacilitationContext } from './context';
import { DIRECTIONS, type Direction, type FacilitationChange } from './model';
import { applyOutcomes } from './outcomes';
import { routesOf, type Route } from './route';
import type { AcceptService } from './services/accept-request';
import { AcceptRedeemRequestService } from './services/accept-redeem-request';
import { AcceptStakeRequestService } from './services/accept-stake-request';
import { ConfirmIntentService } from './services/confirm-intent';
import { ProgressService } from './services/progress';
import { ProveGatewayService } from './services/prove-gateway';
import { Coalescer } from './serial';
import type { StakeEffect, StateChange } from './stake/transition';
import { WorkerPool } from './worker-pool';

export interface FacilitationEngineOptions {
  /** Every this often, all services re-derive their work from the database (recovers anything missed). */
  reconcileIntervalMs: number;
}

/** The services that move one direction's facilitations. */
interface DirectionServices {
  accept: AcceptService;
  prove: ProveGatewayService;
  confirm: ConfirmIntentService;
  progress: ProgressService;
}

/**
 * The state machine of both directions (stake & mint, redeem & unstake): model change observables and
 * transaction outcomes trigger the service of the next step; a periodic reconcile re-runs every service
 * from the database.
 */
export class FacilitationEngine {
  private readonly services: Record<Direction, DirectionServices>;
  private readonly routes: Record<Direction, Route>;
  /** Outcomes not applied yet, oldest first: those arriving while a batch is applied make the next batch. */
  private readonly outcomes: TransactionOutcome[] = [];
  private readonly applyingOutcomes: Coalescer;
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly context: FacilitationContext,
    private readonly options: FacilitationEngineOptions,
  ) {
    const workers = {
      origin: new WorkerPool(context.origin.engine.workers(), context.origin.client, context.origin.valueToken),
      auxiliary: new WorkerPool(context.auxiliary.engine.workers(), context.auxiliary.client),
    };
    this.routes = routesOf(context);
    const { routes } = this;
    const hooks = {
      // messages declared meanwhile get the next proof
      onProofSettled: (direction: Direction) => this.guard(this.services[direction].prove.trigger.trigger()),
      onAcceptFailed: (direction: Direction, requestHash: string) => this.guard(this.services[direction].accept.retry(requestHash)),
    };
    // One batch at a time, in order: the outcomes of a block's transactions are applied in one commit.
    // A failed batch is logged and the next one still goes (the subgraph and the services re-derive what it held).
    this.applyingOutcomes = new Coalescer(() => applyOutcomes(this.context, this.outcomes.splice(0), hooks, this.routes).catch(this.stepFailed));
    const shared = (direction: Direction) => {
      const route = routes[direction];
      const targetWorkers = workers[route.target.name];
      return {
        prove: new ProveGatewayService(context, route, targetWorkers),
        confirm: new ConfirmIntentService(context, route, targetWorkers),
        progress: new ProgressService(context, route, workers),
      };
    };
    this.services = {
      STAKE: { accept: new AcceptStakeRequestService(context, workers.origin), ...shared('STAKE') },
      REDEEM: { accept: new AcceptRedeemRequestService(context, workers.auxiliary), ...shared('REDEEM') },
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const { store, origin, auxiliary } = this.context;
    this.subscription = store.changes$.subscribe((change) => {
      if (!this.stopped) this.onChange(change);
    });
    this.subscription.add(
      merge(origin.engine.outcomes$, auxiliary.engine.outcomes$).pipe(filter(sentByThisPair(this.context))).subscribe((outcome) => {
        this.outcomes.push(outcome);
        this.guard(this.applyingOutcomes.trigger());
      }),
    );
    for (const direction of DIRECTIONS) this.proveOnTargetHeads(direction);
    this.timer = setInterval(() => this.reconcile(), this.options.reconcileIntervalMs);
    this.reconcile();
  }

  /**
   * While declared messages wait for the anchor, each new block of the target chain may carry it: the
   * anchor is read then, not only once its StateRootAvailable has come through the indexer and the
   * subgraph stream (a few hundred ms later under load).
   */
  private proveOnTargetHeads(direction: Direction): void {
    const prove = this.services[direction].prove;
    const unsubscribe = this.routes[direction].target.engine.onHead?.(() => {
      if (!this.stopped && prove.waitsForAnchor) this.guard(prove.trigger.trigger());
    });
    if (unsubscribe) this.subscription?.add(unsubscribe);
  }

  /** The one switch from model changes to the services they make due. */
  private onChange(change: FacilitationChange): void {
    switch (change.kind) {
      case 'stake':
        for (const stateChange of change.transition.changes) this.logStateChange(stateChange);
        for (const effect of change.transition.effects) this.run(effect);
        break;
      case 'gateway':
        // A proven gateway serves the direction whose source it is; both are cheap to look at.
        for (const direction of DIRECTIONS) this.run({ kind: 'confirm', direction });
        break;
      case 'anchor':
        for (const direction of DIRECTIONS) this.run({ kind: 'prove', direction });
        break;
    }
  }

  private run(effect: StakeEffect): void {
    const services = this.services[effect.direction];
    switch (effect.kind) {
      case 'accept':
        this.guard(services.accept.handle(effect.stakeRequestHash));
        break;
      case 'prove':
        this.guard(services.prove.trigger.trigger());
        break;
      case 'confirm':
        this.guard(services.confirm.trigger.trigger());
        break;
      case 'progress':
        this.guard(services.progress.trigger.trigger());
        break;
    }
  }

  private logStateChange(change: StateChange): void {
    const key = change.record === 'request' ? 'stakeRequestHash' : 'messageHash';
    this.context.logger.info(
      { direction: change.direction, [key]: change.hash, from: change.from, reason: change.reason },
      `${change.record} state ${change.to}`,
    );
  }

  /** Stops triggering new work and waits for the steps under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.subscription?.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    const all = DIRECTIONS.map((d) => this.services[d]);
    await Promise.all([
      ...all.flatMap((s) => [s.accept.idle(), s.prove.trigger.idle(), s.confirm.trigger.idle(), s.progress.trigger.idle()]),
      this.applyingOutcomes.idle(),
    ]);
  }

  /** Re-derives all work from the database. */
  reconcile(): void {
    if (this.stopped) return;
    this.guard(
      (async () => {
        const pending = await this.context.store.stakeRequestsInState(['REQUESTED', 'ACCEPTING']);
        for (const request of pending) await this.services[request.direction].accept.handle(request.stakeRequestHash);
      })(),
    );
    for (const direction of DIRECTIONS) {
      const services = this.services[direction];
      this.guard(services.prove.trigger.trigger());
      this.guard(services.confirm.trigger.trigger());
      this.guard(services.progress.trigger.trigger());
    }
  }

  private guard(work: Promise<unknown>): void {
    work.catch(this.stepFailed);
  }

  private readonly stepFailed = (error: unknown): void => {
    this.context.logger.warn({ err: describeError(error) }, 'facilitation step failed; will retry');
  };
}

/**
 * Whether an outcome is of a transaction this pair's services sent: to one of its contracts on that
 * chain (an address alone names no chain). The origin engine is shared by every pair of a process
 * (`start --chains`), so its outcomes reach every pair.
 */
function sentByThisPair(context: FacilitationContext): (outcome: TransactionOutcome) => boolean {
  const { origin, auxiliary } = context;
  const lower = (addresses: string[]) => new Set(addresses.map((a) => a.toLowerCase()));
  const contracts = new Map([
    [origin.chainId, lower([origin.composer.address, origin.gateway.address, origin.valueToken.address])],
    [auxiliary.chainId, lower([auxiliary.coGateway.address, auxiliary.redeemPool.address])],
  ]);
  return (outcome) => contracts.get(outcome.chainId)?.has(outcome.to.toLowerCase()) ?? false;
}
