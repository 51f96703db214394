import type { Direction, FacilitationChange, MessageRecord } from '../facilitation/model';
import { MessageStatus } from '../mosaic/message-status';

export type Print = (line: string) => void;

export const short = (hash: string | undefined) => (hash ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : '-');

/** How the demo names a direction's requests and their arrival. */
export const DIRECTION_WORDS: Record<Direction, { request: string; arrived: string; arrivedOn: string }> = {
  STAKE: { request: 'request', arrived: 'minted', arrivedOn: 'minted on the auxiliary chain' },
  REDEEM: { request: 'redeem', arrived: 'unstaked', arrivedOn: 'unstaked on origin' },
};

/** A request the demo made: its number, who made it, its request hash and when our receipt of it came. */
export interface DemoRequest {
  index: number;
  account: string;
  requestHash: string;
  requestedAt: number;
  /** The message's state as last reported (for the progress lines only; the verdict reads the database). */
  state: string;
  messageHash?: string;
  /** When the message was seen progressed on its target chain (minted / unstaked). */
  arrivedAt?: number;
}

/**
 * Follows one direction's requests through the facilitator's store changes (rows as committed, with
 * their direction), prints every state each reaches, and settles `finished` once every expected request
 * is COMPLETED. Changes of the other direction are not its business.
 */
export class DirectionTracker {
  readonly rows: DemoRequest[] = [];
  private readonly byRequest = new Map<string, DemoRequest>();
  /** Messages seen for a request before our own receipt of it arrived. */
  private readonly early = new Map<string, MessageRecord[]>();
  private finish: () => void = () => undefined;
  readonly finished = new Promise<void>((resolveFinished) => (this.finish = resolveFinished));

  constructor(
    readonly direction: Direction,
    private readonly expected: number,
    private readonly say: Print,
  ) {}

  /** Stops waiting for the remaining requests (the timeout). */
  giveUp(): void {
    this.finish();
  }

  allCompleted(): boolean {
    return this.rows.every((t) => t.state === 'COMPLETED');
  }

  /** Registers a request once its receipt is in, then replays what the facilitator already did with it. */
  add(index: number, account: string, requestHash: string): void {
    const row: DemoRequest = { index, account, requestHash: requestHash.toLowerCase(), requestedAt: Date.now(), state: 'REQUESTED' };
    this.rows.push(row);
    this.byRequest.set(row.requestHash, row);
    this.say(`${this.label(row)} REQUESTED  ${this.direction === 'STAKE' ? 'stake' : 'redeem'} request ${short(row.requestHash)} by ${short(account)}`);
    const seen = this.early.get(row.requestHash) ?? [];
    this.early.delete(row.requestHash);
    for (const message of seen) this.onMessage(message);
  }

  /** Requests are added as their receipts arrive; the table lists them in request order. */
  sortByIndex(): void {
    this.rows.sort((a, b) => a.index - b.index);
  }

  onStoreChange(change: FacilitationChange): void {
    if (change.kind !== 'stake') return;
    const { next, changed } = change.transition;
    if (changed.message && next.message?.direction === this.direction) this.onMessage(next.message);
  }

  private label(row: DemoRequest): string {
    return `${DIRECTION_WORDS[this.direction].request} #${row.index}`;
  }

  private onMessage(message: MessageRecord): void {
    const row = this.byRequest.get(message.stakeRequestHash);
    if (!row) {
      // The facilitator can be quicker than our own receipt of the request: replay once the row exists.
      this.early.set(message.stakeRequestHash, [...(this.early.get(message.stakeRequestHash) ?? []), message]);
      return;
    }
    row.messageHash = message.messageHash;
    const arrived = message.targetStatus === MessageStatus.Progressed;
    if (arrived && row.arrivedAt === undefined) row.arrivedAt = Date.now();
    const detail = `message ${short(message.messageHash)}${arrived ? ` ${DIRECTION_WORDS[this.direction].arrivedOn}` : ''}`;
    if (row.state !== message.state) {
      row.state = message.state;
      this.say(`${this.label(row)} ${message.state.padEnd(10)} ${detail}`);
    }
    if (this.rows.length === this.expected && this.allCompleted()) this.finish();
  }
}
