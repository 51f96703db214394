import type { Knex } from 'knex';
import { Subject } from 'rxjs';
import { AnchorRepository, type AnchorRow } from './anchors';
import { GatewayRepository, type GatewayRow } from './gateways';
import { MessageRepository, type MessageRow } from './messages';
import { ProcessLockRepository, type ProcessLockRow } from './process-locks';
import { rootScope, type Scope } from './scope';
import { StakeRequestRepository, type StakeRequestRow } from './stake-requests';
import { StreamCursorRepository, type StreamCursorRow } from './stream-cursors';
import { TransactionRepository, type TransactionRow } from './transactions';
import { WorkerNonceRepository, type WorkerNonceRow } from './worker-nonces';

export * from './anchors';
export * from './gateways';
export * from './messages';
export * from './process-locks';
export { Repository, rootScope, type Page, type Scope, type Uint } from './scope';
export * from './stake-requests';
export * from './stream-cursors';
export * from './transactions';
export * from './worker-nonces';

/** One Subject per table, shared by the root repositories and every transaction-bound copy. */
interface ChangeSubjects {
  stakeRequests: Subject<StakeRequestRow>;
  messages: Subject<MessageRow>;
  gateways: Subject<GatewayRow>;
  anchors: Subject<AnchorRow>;
  streamCursors: Subject<StreamCursorRow>;
  transactions: Subject<TransactionRow>;
  workerNonces: Subject<WorkerNonceRow>;
  processLocks: Subject<ProcessLockRow>;
}

function newSubjects(): ChangeSubjects {
  return {
    stakeRequests: new Subject(),
    messages: new Subject(),
    gateways: new Subject(),
    anchors: new Subject(),
    streamCursors: new Subject(),
    transactions: new Subject(),
    workerNonces: new Subject(),
    processLocks: new Subject(),
  };
}

/**
 * Every repository over one database. Each repository's `changes$` emits a row only after the write
 * that changed it has committed. Several writes can share one transaction:
 *
 *   await repos.inTransaction(async (tx) => {
 *     await tx.messages.insert(message);
 *     await tx.stakeRequests.setState(hash, 'ACCEPTING', { messageHash });
 *   });   // both rows are emitted here, after COMMIT; nothing is emitted if the callback throws
 */
export class Repositories {
  readonly stakeRequests: StakeRequestRepository;
  readonly messages: MessageRepository;
  readonly gateways: GatewayRepository;
  readonly anchors: AnchorRepository;
  readonly streamCursors: StreamCursorRepository;
  readonly transactions: TransactionRepository;
  readonly workerNonces: WorkerNonceRepository;
  readonly processLocks: ProcessLockRepository;

  constructor(
    readonly knex: Knex,
    private readonly scope: Scope = rootScope(knex),
    private readonly subjects: ChangeSubjects = newSubjects(),
  ) {
    this.stakeRequests = new StakeRequestRepository(scope, subjects.stakeRequests);
    this.messages = new MessageRepository(scope, subjects.messages);
    this.gateways = new GatewayRepository(scope, subjects.gateways);
    this.anchors = new AnchorRepository(scope, subjects.anchors);
    this.streamCursors = new StreamCursorRepository(scope, subjects.streamCursors);
    this.transactions = new TransactionRepository(scope, subjects.transactions);
    this.workerNonces = new WorkerNonceRepository(scope, subjects.workerNonces);
    this.processLocks = new ProcessLockRepository(scope, subjects.processLocks);
  }

  /** The open transaction of a transaction-bound copy (for raw queries next to repository calls). */
  get transaction(): Knex.Transaction | undefined {
    return this.scope.trx;
  }

  /**
   * Runs `work` in one database transaction with repositories bound to it. Commits when `work`
   * resolves, then emits the buffered changes in write order; rolls back and emits nothing when it
   * throws (the error is rethrown). Called on a bound copy, it joins the open transaction.
   */
  async inTransaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    if (this.scope.trx) return work(this);
    const pending: Array<() => void> = [];
    const result = await this.knex.transaction((trx) => work(new Repositories(this.knex, { knex: this.knex, trx, pending }, this.subjects)));
    for (const emit of pending) emit();
    return result;
  }

  /** Completes every change observable (on shutdown). */
  complete(): void {
    for (const subject of Object.values(this.subjects) as Array<Subject<unknown>>) subject.complete();
  }
}

export function createRepositories(knex: Knex): Repositories {
  return new Repositories(knex);
}
