import { Subject } from 'rxjs';
import { SqlOutbox } from '../../src/chain/tx-engine/sql-outbox';
import type { MessageRecord } from '../../src/facilitation/model';
import { SqlFacilitationStore } from '../../src/facilitation/sql-facilitation-store';
import { FacilitatorStatusSource } from '../../src/facilitator/status-source';
import { MessageStatus } from '../../src/mosaic/message-status';
import type { StatusSource } from '../../src/status/status-source';
import { SqlCursorStore } from '../../src/streams/sql-cursor-store';
import { REQUEST_HASH, MESSAGE_HASH, stakeMessage, stakeRequest } from '../facilitation/facilitation-store-contract';
import type { Knex } from 'knex';

const hex = (byte: string, bytes: number) => `0x${byte.repeat(bytes)}`;

export const STAKE_REQUEST_HASH = REQUEST_HASH;
export const STAKE_MESSAGE_HASH = MESSAGE_HASH;
export const REDEEM_REQUEST_HASH = hex('22', 32);
export const REDEEM_MESSAGE_HASH = hex('ff', 32);
/** A second redeem request, not accepted yet. */
export const OPEN_REDEEM_REQUEST_HASH = hex('23', 32);
export const REDEEMER = hex('6a', 20);

/** A redeem read the other way round: RedeemPool request on auxiliary, cogateway → gateway message. */
function redeemRequest(stakeRequestHash: string) {
  return stakeRequest({
    direction: 'REDEEM',
    stakeRequestHash,
    composer: hex('d0', 20),
    gateway: hex('9b', 20),
    staker: REDEEMER,
    stakerProxy: hex('6b', 20),
    transactionHash: hex('78', 32),
  });
}

/**
 * Writes, through the store's events: a stake (request and message ACCEPTING), a redeem whose intent is
 * declared (request ACCEPTED, message DECLARED) and a redeem request not accepted yet (REQUESTED).
 */
export async function seedBothDirections(knex: Knex): Promise<SqlFacilitationStore> {
  const store = new SqlFacilitationStore(knex);
  await store.apply({ kind: 'requestSeen', request: stakeRequest() });
  await store.apply({ kind: 'acceptancePrepared', message: stakeMessage() });
  await store.apply({ kind: 'requestSeen', request: redeemRequest(REDEEM_REQUEST_HASH) });
  const redeemMessage = stakeMessage({
    direction: 'REDEEM',
    messageHash: REDEEM_MESSAGE_HASH,
    stakeRequestHash: REDEEM_REQUEST_HASH,
    gateway: hex('9b', 20),
    coGateway: hex('9a', 20),
    sender: hex('6b', 20),
    staker: REDEEMER,
  });
  await store.apply({ kind: 'acceptancePrepared', message: redeemMessage });
  await store.apply({ kind: 'sourceStatusSeen', messageHash: REDEEM_MESSAGE_HASH, status: MessageStatus.Declared, declarationHeight: 20n });
  await store.apply({ kind: 'requestSeen', request: redeemRequest(OPEN_REDEEM_REQUEST_HASH) });
  return store;
}

/**
 * The running facilitator's status source over a real database, with no chains: the records, counts and
 * transactions come from SQLite; workers, streams and engines are empty.
 */
export function sqlStatusSource(knex: Knex): StatusSource {
  // Only workers, streams and engine counters read the facilitator; they are answered here instead.
  const records = new FacilitatorStatusSource(new SqlFacilitationStore(knex), new SqlOutbox(knex), new SqlCursorStore(knex), () => [], () => 'active');
  return {
    role: () => 'active',
    stakeRequest: (hash) => records.stakeRequest(hash),
    stakeRequests: (filter, page) => records.stakeRequests(filter, page),
    stakeRequestCounts: () => records.stakeRequestCounts(),
    message: (hash) => records.message(hash),
    messages: (filter, page) => records.messages(filter, page),
    messageCounts: () => records.messageCounts(),
    transactionsFor: (message) => records.transactionsFor(message),
    history: (hash) => records.history(hash),
    waitingFor: (message) => records.waitingFor(message),
    messageWait: (message) => records.messageWait(message),
    requestWait: (request) => records.requestWait(request),
    oldestWaiting: () => records.oldestWaiting(),
    workers: async () => [],
    streams: async () => [],
    engineCounters: () => [],
    rpcEndpoints: () => [],
    chains: async () => [],
    messageChanges$: new Subject<MessageRecord>(),
  };
}
