import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { stoppedUnits, type StoppedUnits, type UnitKind } from '../errors/stopped-units';
import type { EndpointStatus } from '../failover/endpoint-pool';
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

  registerWorkerGauges(registry, source);
  registerRpcEndpointMetrics(registry, source);
  registerStoppedUnitGauges(registry, units);
  return registry;
}

/** Each worker's balance and pending transactions. */
function registerWorkerGauges(registry: Registry, source: StatusSource): void {
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
}

/** Each chain's JSON-RPC endpoints (redacted: never an API key in a label): which is active, healthy, lagging, and the switches. */
function registerRpcEndpointMetrics(registry: Registry, source: StatusSource): void {
  const endpointGauge = (name: string, help: string, value: (endpoint: EndpointStatus) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['chain_id', 'endpoint'],
      registers: [registry],
      collect() {
        this.reset();
        for (const chain of source.rpcEndpoints()) {
          for (const endpoint of chain.endpoints) {
            const measured = value(endpoint);
            if (measured !== undefined) this.set({ chain_id: String(chain.chainId), endpoint: endpoint.endpoint }, measured);
          }
        }
      },
    });
  endpointGauge('facilitator_rpc_endpoint_active', 'The JSON-RPC endpoint requests go to first (1), per chain', (e) => (e.active ? 1 : 0));
  endpointGauge('facilitator_rpc_endpoint_healthy', 'Whether a JSON-RPC endpoint answered its last request or health probe', (e) => (e.healthy ? 1 : 0));
  endpointGauge('facilitator_rpc_endpoint_lag_blocks', 'Blocks a JSON-RPC endpoint is behind the best healthy one (health probes)', (e) =>
    e.lagBlocks === undefined ? undefined : Number(e.lagBlocks),
  );
  new Counter({
    name: 'facilitator_rpc_failovers_total',
    help: 'Changes of the active JSON-RPC endpoint of a chain (a failover, or the return to the preferred endpoint), by from and to',
    labelNames: ['chain_id', 'from', 'to'],
    registers: [registry],
    collect() {
      this.reset();
      for (const chain of source.rpcEndpoints()) {
        for (const { from, to, count } of chain.switches) this.inc({ chain_id: String(chain.chainId), from, to }, count);
      }
    },
  });
}

/** Messages and requests by direction and state (series with a count of 0 are left out), and their waits. */
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
  // How long records have been in those states, and how many completed: what stall alerts read.
  registerWaitingMetrics(registry, source);
}

/**
 * What alerts on a stalled facilitation need: how long the oldest record has waited in each state, the
 * messages completed (a counter: COMPLETED is final, so the count only grows) and each chain's worker gas floor.
 */
function registerWaitingMetrics(registry: Registry, source: StatusSource): void {
  const oldest = (name: string, help: string, record: 'message' | 'request') =>
    new Gauge({
      name,
      help,
      labelNames: ['direction', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        const now = Date.now();
        for (const wait of (await source.oldestWaiting?.()) ?? []) {
          if (wait.record === record) this.set({ direction: wait.direction, state: wait.state }, Math.max(0, (now - wait.since) / 1000));
        }
      },
    });
  oldest('facilitator_oldest_waiting_seconds', 'Seconds the longest-waiting message has been in its state, per direction and non-final state', 'message');
  oldest('facilitator_oldest_waiting_request_seconds', 'Seconds the longest-waiting request has been REQUESTED or ACCEPTING, per direction', 'request');

  new Counter({
    name: 'facilitator_messages_completed_total',
    help: 'Messages COMPLETED (progressed on both chains), per direction',
    labelNames: ['direction'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const direction of ['STAKE', 'REDEEM']) this.inc({ direction }, 0);
      for (const { direction, state, count } of await source.messageCounts()) if (state === 'COMPLETED') this.inc({ direction }, count);
    },
  });

  new Gauge({
    name: 'facilitator_worker_min_gas_balance_wei',
    help: 'Native coin a worker needs to be given a step (minWorkerGasBalance); the facilitator warns below 10 times it',
    labelNames: ['chain_id'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { chainId, minGasBalance } of source.workerGasFloors?.() ?? []) this.set({ chain_id: String(chainId) }, Number(minGasBalance));
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
