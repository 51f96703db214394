import type { FeeCapWait } from '../chain/tx-engine/transaction-engine';
import type { OutboxRecord } from '../chain/tx-engine/outbox-port';
import type { SqlOutbox } from '../chain/tx-engine/sql-outbox';
import type { HistoryEntry } from '../facilitation/history';
import type { MessageRecord, StakeRequestRecord } from '../facilitation/model';
import type { SqlFacilitationStore } from '../facilitation/sql-facilitation-store';
import { reusedFor, LIVE_READ_TTL_MS } from '../status/schema';
import type { Inclusion, WaitingFacts, WorkerBalance, WorkerFunds } from '../status/waiting-for';
import type { Facilitator } from './facilitator';

/** The addresses that tell a record's gateway pair and the anchors its proofs wait for (all lowercase). */
export interface PairAddresses {
  gateway: string;
  coGateway: string;
  /** On origin: holds auxiliary state roots (redeems wait for it). */
  originAnchor: string;
  /** On the auxiliary chain: holds origin state roots (stakes wait for it). */
  auxiliaryAnchor: string;
}

export function pairAddressesOf(facilitator: Facilitator): PairAddresses {
  const { origin, auxiliary } = facilitator.context;
  return { gateway: origin.gateway.address, coGateway: auxiliary.coGateway.address, originAnchor: origin.anchor.address, auxiliaryAnchor: auxiliary.anchor.address };
}

/** When a record last entered `state` (its history), if recorded. */
export function enteredState(history: HistoryEntry[], state: string): number | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i];
    if (entry.state === state && entry.from !== state) return entry.at;
  }
  return undefined;
}

const ACTIVE_STATUSES: Array<'queued' | 'sent'> = ['queued', 'sent'];

/**
 * Reads what a request or message waits for: the database always (its steps, the proven and anchored
 * heights, its history); the chains (worker balances, receipts, heads) only while this instance is
 * active, each pair's balances at most once per LIVE_READ_TTL_MS however many records are asked about.
 */
export class WaitingFactsReader {
  private readonly funds = new Map<string, () => Promise<WorkerFunds>>();

  constructor(
    private readonly store: SqlFacilitationStore,
    private readonly outbox: SqlOutbox,
    private readonly current: () => readonly Facilitator[],
    private readonly instance: () => 'active' | 'standby' | 'stopped',
    /** The pairs' addresses when no facilitator runs here (read from the mosaic-config). */
    private readonly knownPairs: readonly PairAddresses[] = [],
  ) {}

  /** Outbox records about a message (its own steps are keyed by its hash or its request's). */
  steps(message: MessageRecord): Promise<OutboxRecord[]> {
    return this.outbox.list({ subjectLike: [message.messageHash, `${message.messageHash}@%`, message.stakeRequestHash, `${message.stakeRequestHash}#%`] });
  }

  async messageFacts(message: MessageRecord): Promise<WaitingFacts> {
    const stake = message.direction === 'STAKE';
    const proven = stake ? message.gateway : message.coGateway;
    const pair = this.pairs().find((p) => p.gateway === message.gateway);
    const anchor = pair ? (stake ? pair.auxiliaryAnchor : pair.originAnchor) : undefined;
    const [steps, gateway, anchored, proofs, history] = await Promise.all([
      this.steps(message),
      this.store.getGateway(proven),
      anchor ? this.store.getAnchor(anchor) : Promise.resolve(undefined),
      this.outbox.list({ status: ACTIVE_STATUSES, subjectLike: [`${proven}@%`] }),
      this.store.history(message.messageHash),
    ]);
    const facts: WaitingFacts = {
      steps,
      provenHeight: gateway?.lastProvenHeight,
      anchoredHeight: anchored?.lastAnchoredHeight,
      proofInFlight: proofs[0],
      now: Date.now(),
      stateSince: enteredState(history, message.state) ?? message.updatedAt,
      instance: this.instance(),
    };
    if (message.state === 'ACCEPTING') Object.assign(facts, await this.acceptingFacts(message, steps));
    return this.withChains(facts, message.gateway, message.direction);
  }

  /** A request's facts; with its message's when it has one (ACCEPTING and after: the message's wait is the request's). */
  async requestFacts(request: StakeRequestRecord, message: MessageRecord | undefined): Promise<WaitingFacts> {
    if (message) return this.messageFacts(message);
    const history = await this.store.history(request.stakeRequestHash);
    const facts: WaitingFacts = { steps: [], now: Date.now(), stateSince: enteredState(history, request.state), instance: this.instance() };
    const gateway = this.pairs().find((p) => p.gateway === request.gateway || p.coGateway === request.gateway)?.gateway;
    return gateway ? this.withChains(facts, gateway, request.direction) : facts;
  }

  private pairs(): PairAddresses[] {
    const running = this.current().map(pairAddressesOf);
    return running.length > 0 ? running : [...this.knownPairs];
  }

  /** An ACCEPTING message without its accept queued: its worker's bounty approval (stake), the redeemer's previous message (redeem). */
  private async acceptingFacts(message: MessageRecord, steps: OutboxRecord[]): Promise<Partial<WaitingFacts>> {
    if (steps.some((r) => r.status === 'queued' || r.status === 'sent')) return {};
    if (message.direction === 'STAKE') {
      const approvals = await this.outbox.list({ worker: message.worker, status: ACTIVE_STATUSES });
      return { bountyApproval: approvals.find((r) => r.purpose === 'approveBounty') };
    }
    if (message.nonce === 0n) return {};
    const theirs = await this.store.listMessages({ direction: 'REDEEM', staker: message.staker }, 100, 0);
    const previous = theirs.find((m) => m.sender === message.sender && m.nonce === message.nonce - 1n);
    if (!previous || ['COMPLETED', 'ABANDONED', 'FAILED'].includes(previous.state)) return {};
    return { previousMessage: { nonce: previous.nonce, messageHash: previous.messageHash, state: previous.state } };
  }

  /** Fee cap waits, receipts of the steps sent and worker balances: from the running pair's chains, if this instance runs it. */
  private async withChains(facts: WaitingFacts, gateway: string, direction: 'STAKE' | 'REDEEM'): Promise<WaitingFacts> {
    const facilitator = this.current().find((f) => f.context.origin.gateway.address === gateway);
    if (!facilitator || facts.instance !== 'active') return facts;
    const feeCapWaits = new Map<number, FeeCapWait>();
    for (const engine of [facilitator.engines.origin, facilitator.engines.auxiliary]) {
      const wait = engine.feeCapWait();
      if (wait) feeCapWaits.set(engine.chainId, wait);
    }
    const sent = [...facts.steps, facts.proofInFlight, facts.bountyApproval].filter((r): r is OutboxRecord => r?.status === 'sent' && r.txHash !== undefined);
    const [inclusions, funds] = await Promise.all([this.inclusions(facilitator, sent), this.fundsOf(facilitator, direction)().catch(() => undefined)]);
    return { ...facts, feeCapWaits, inclusions, funds };
  }

  private async inclusions(facilitator: Facilitator, sent: OutboxRecord[]): Promise<Map<string, Inclusion>> {
    const found = new Map<string, Inclusion>();
    const { origin, auxiliary } = facilitator.context;
    await Promise.all(
      sent.map(async (record) => {
        const side = record.chainId === origin.chainId ? 'origin' : 'auxiliary';
        const client = side === 'origin' ? origin.client : auxiliary.client;
        const receipt = await client.getReceipt(record.txHash!).catch(() => null);
        if (!receipt?.blockNumber) return;
        const head = await client.blockNumber().catch(() => undefined);
        if (head !== undefined) found.set(record.txHash!, { block: BigInt(receipt.blockNumber), head, confirmations: facilitator.confirmations(side) });
      }),
    );
    return found;
  }

  /** A pair's worker balances for one direction (source and target chains), read at most once per LIVE_READ_TTL_MS. */
  private fundsOf(facilitator: Facilitator, direction: 'STAKE' | 'REDEEM'): () => Promise<WorkerFunds> {
    const key = `${facilitator.context.origin.gateway.address}:${direction}`;
    let read = this.funds.get(key);
    if (!read) {
      read = reusedFor(LIVE_READ_TTL_MS, () => readFunds(facilitator, direction));
      this.funds.set(key, read);
    }
    return read;
  }
}

async function readFunds(facilitator: Facilitator, direction: 'STAKE' | 'REDEEM'): Promise<WorkerFunds> {
  const { origin, auxiliary, policy } = facilitator.context;
  const balances = (side: typeof origin | typeof auxiliary, token: boolean): Promise<WorkerBalance[]> =>
    Promise.all(
      side.engine.workers().map(async (address) => ({
        address,
        balance: await side.client.getBalance(address),
        ...(token ? { tokenBalance: await origin.valueToken.balanceOf(address) } : {}),
      })),
    );
  const stake = direction === 'STAKE';
  const [originWorkers, auxiliaryWorkers, bounty] = await Promise.all([
    balances(origin, stake),
    balances(auxiliary, false),
    stake ? origin.gateway.bounty() : auxiliary.coGateway.bounty(),
  ]);
  return { source: stake ? originWorkers : auxiliaryWorkers, target: stake ? auxiliaryWorkers : originWorkers, minGasBalance: policy.minWorkerGasBalance, bounty };
}
