import type { Direction, MessageRecord, StakeRequestRecord } from '../facilitation/model';
import type { FacilitationStore } from '../facilitation/store-port';
import { DIRECTION_WORDS, short, type DemoRequest, type Print } from './demo-tracker';
import { formatTokenAmount } from './option-parsers';

/** Reads one account's balance of what a direction delivers (base coin on the auxiliary chain, OST on origin). */
export type BalanceReader = (account: string) => Promise<bigint>;

/** What arrives where, per direction: the table's heading words. */
const TABLES: Record<Direction, { title: string; account: string; request: string; amount: string; received: string }> = {
  STAKE: { title: 'stake & mint', account: 'staker', request: 'stake request', amount: 'OST', received: 'received (base coin, auxiliary)' },
  REDEEM: { title: 'redeem & unstake', account: 'redeemer', request: 'redeem request', amount: 'OST′', received: 'received (OST, origin)' },
};

/** One row of a final table: the database's rows for the request, the chain's balance change of its account. */
export interface Outcome {
  demo: DemoRequest;
  request?: StakeRequestRecord;
  message?: MessageRecord;
  /** Balance at the end of the direction's phase − before it (the account sends nothing there in between). */
  received: bigint;
}

/** Balances of a phase's accounts (in the order of its requests) before its requests and once it ended. */
export interface PhaseBalances {
  before: readonly bigint[];
  after: readonly bigint[];
}

/** The balances of `accounts` now, in their order. */
export function readBalances(accounts: readonly string[], read: BalanceReader): Promise<bigint[]> {
  return Promise.all(accounts.map((account) => read(account)));
}

/**
 * Each request's outcome as the facilitator's database holds it (its request and message rows, of
 * `direction` only: a row of the other direction is no outcome of this one) and its account's balance
 * change on chain over the phase.
 */
export async function readOutcomes(store: FacilitationStore, direction: Direction, rows: readonly DemoRequest[], balances: PhaseBalances): Promise<Outcome[]> {
  return Promise.all(
    rows.map(async (demo, i) => {
      const request = await store.getStakeRequest(demo.requestHash);
      const message = await store.messageForStakeRequest(demo.requestHash);
      return {
        demo,
        request: request?.direction === direction ? request : undefined,
        message: message?.direction === direction ? message : undefined,
        received: balances.after[i] - balances.before[i],
      };
    }),
  );
}

const signedAmount = (value: bigint) => (value < 0n ? `-${formatTokenAmount(-value)}` : formatTokenAmount(value));

/** COMPLETED in the database: progressed on both chains. */
export const isCompleted = (outcome: Outcome) => outcome.message?.state === 'COMPLETED';

/** The state to show: the message's, else the request's (e.g. IGNORED); undefined while the facilitator has no row of it. */
function finalState(outcome: Outcome): string | undefined {
  return outcome.message?.state ?? outcome.request?.state;
}

export function printOutcomeTable(direction: Direction, outcomes: readonly Outcome[], write: Print): void {
  const t = TABLES[direction];
  write('');
  write(`${t.title} (direction ${direction}): states from the facilitator's database, balances from the chain`);
  write(` #  ${t.account.padEnd(18)} ${t.request.padEnd(18)} message hash       ${`amount ${t.amount}`.padEnd(12)} final state  latency   ${t.received}`);
  for (const outcome of outcomes) {
    const { demo } = outcome;
    const latency = demo.arrivedAt !== undefined && isCompleted(outcome) ? `${((demo.arrivedAt - demo.requestedAt) / 1000).toFixed(2)} s` : '-';
    const amount = outcome.request ? formatTokenAmount(outcome.request.amount) : '-';
    write(
      `${String(demo.index).padStart(2)}  ${short(demo.account).padEnd(18)} ${short(demo.requestHash).padEnd(18)} ${short(outcome.message?.messageHash).padEnd(18)} ${amount.padEnd(12)} ${(finalState(outcome) ?? '-').padEnd(12)} ${latency.padEnd(9)} ${signedAmount(outcome.received)}`,
    );
  }
}

/** One line for a direction whose requests did not all complete, naming the first one that did not. */
export function incompleteLine(direction: Direction, outcomes: readonly Outcome[]): string | undefined {
  const open = outcomes.filter((o) => !isCompleted(o));
  if (open.length === 0) return undefined;
  const words = DIRECTION_WORDS[direction];
  const first = open[0];
  const state = finalState(first);
  return `${open.length} of ${outcomes.length} ${words.request}(s) not COMPLETED in the database (${words.request} #${first.demo.index} ${state ? `is ${state}` : 'is not in it'})`;
}
