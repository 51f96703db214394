import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { stoppedUnits, type StoppedUnits, type UnitKind } from '../errors/stopped-units';
import { streamLag, type StatusSource } from './status-source';

/**
 * Prometheus metrics, computed from the status source at scrape time: messages and requests by
 * direction and state, transactions sent/failed/replaced, stream lag and worker balances.
 */
export function createMetrics(source: StatusSource, units: StoppedUnits = stoppedUnits): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'facilitator_process_' });

  registerStateGauges(registry, source);

  new Gauge({
    name: 'facilitator_role',
    help: 'Whether this instance is active (holds the lease and sends: 1 on role="active") or stands by (1 on role="standby")',
    labelNames: ['role'],
    registers: [registry],
    collect() {
      const role = source.role();
      this.set({ role: 'active' }, role === 'active' ? 1 : 0);
      this.set({ role: 'standby' }, role === 'standby' ? 1 : 0);
    },
  });

  const transactions = (name: string, help: string, pick: (c: ReturnType<StatusSource['engineCounters']>[number]) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['chain_id'],
      registers: [registry],
      collect() {
        this.reset();
        for (const counters of source.engineCounters()) this.inc({ chain_id: String(counters.chainId) }, pick(counters));
      },
    });
  transactions('facilitator_transactions_sent_total', 'Transactions broadcast', (c) => c.sent);
  transactions('facilitator_transactions_failed_total', 'Transactions that reverted or were refused', (c) => c.failed);
  transactions('facilitator_transactions_replaced_total', 'Stuck transactions replaced at the same nonce with higher fees', (c) => c.replaced);

  new Gauge({
    name: 'facilitator_transactions_waiting_for_fee_cap',
    help: 'Transactions held back because the chain needs more per gas than its maxFeePerGas cap',
    labelNames: ['chain_id'],
    registers: [registry],
    collect() {
      this.reset();
      for (const counters of source.engineCounters()) this.set({ chain_id: String(counters.chainId) }, counters.feeCapWait?.transactions ?? 0);
    },
  });

  new Gauge({
    name: 'facilitator_stream_lag_blocks',
    help: 'Subgraph head (less the stream\'s confirmations) minus the last block an entity stream checked',
    labelNames: ['stream'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const stream of await source.streams()) {
        const lag = streamLag(stream);
        if (lag !== undefined) this.set({ stream: stream.name }, lag);
      }
    },
  });

  new Gauge({
    name: 'facilitator_worker_balance_wei',
    help: 'Native coin balance of each worker',
    labelNames: ['chain_id', 'worker'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const worker of await source.workers()) {
        // Gauges are floats: precision loss beyond 2^53 wei is fine for alerting on low balances.
        this.set({ chain_id: String(worker.chainId), worker: worker.address }, Number(worker.balance));
      }
    },
  });

  new Gauge({
    name: 'facilitator_worker_pending_transactions',
    help: 'Transactions of each worker broadcast and not yet final',
    labelNames: ['chain_id', 'worker'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const worker of await source.workers()) {
        this.set({ chain_id: String(worker.chainId), worker: worker.address }, worker.pendingTransactions.length);
      }
    },
  });
  registerStoppedUnitGauges(registry, units);
  return registry;
}

/** Messages and requests by direction and state (series with a count of 0 are left out). */
function registerStateGauges(registry: Registry, source: StatusSource): void {
  new Gauge({
    name: 'facilitator_messages',
    help: 'Messages by direction (STAKE, REDEEM) and facilitation state',
    labelNames: ['direction', 'state', 'aux_chain_id'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { direction, state, count, auxChainId } of await source.messageCounts()) this.set(stateLabels(direction, state, auxChainId), count);
    },
  });

  new Gauge({
    name: 'facilitator_requests',
    help: 'Stake and redeem requests by direction (STAKE, REDEEM) and state',
    labelNames: ['direction', 'state', 'aux_chain_id'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { direction, state, count, auxChainId } of await source.stakeRequestCounts()) this.set(stateLabels(direction, state, auxChainId), count);
    },
  });
}

/** A state gauge's labels: the pair's auxiliary chain when known (several pairs in one process tell apart by it). */
function stateLabels(direction: string, state: string, auxChainId: number | undefined): Record<string, string> {
  return auxChainId === undefined ? { direction, state } : { direction, state, aux_chain_id: String(auxChainId) };
}

/** Units a deterministic error stopped (1 while stopped): what to alert on. */
export function registerStoppedUnitGauges(registry: Registry, units: StoppedUnits = stoppedUnits): void {
  const gauge = (name: string, help: string, kind: UnitKind, label: string) =>
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const unit of units.list(kind)) this.set({ [label]: unit.name }, 1);
      },
    });
  gauge('facilitator_subgraph_failed', 'Embedded subgraphs stopped by a deterministic indexing error (hasIndexingErrors)', 'subgraph', 'subgraph');
  gauge('facilitator_stream_stopped', 'Entity streams stopped by a deterministic handler error', 'stream', 'stream');
  gauge('facilitator_worker_stopped', 'Transaction engine workers stopped by a deterministic error (label: <chainId>:<worker>)', 'worker', 'worker');
}
