import type { Knex } from 'knex';
import { resolve } from 'node:path';
import { SqlOutbox } from '../chain/tx-engine/sql-outbox';
import type { FacilitatorConfig } from '../config/facilitator-config';
import { loadMosaicConfig } from '../config/mosaic-config-schema';
import { defaultMosaicConfigPath } from '../config/paths';
import { UserInputError } from '../errors/user-errors';
import type { HistoryEntry } from '../facilitation/history';
import { SqlFacilitationStore } from '../facilitation/sql-facilitation-store';
import { WaitingFactsReader, type PairAddresses } from '../facilitator/waiting-facts';
import { MessageStatus } from '../mosaic/message-status';
import { formatAge, messageWait, requestWait, describeWait, type Wait } from '../status/waiting-for';

/** One line of a record's history as `status <hash>` prints it (the status API's HistoryEntry). */
export interface HistoryLine {
  from: string | null;
  state: string;
  sourceStatus: string | null;
  targetStatus: string | null;
  event: string;
  reason: string | null;
  blockNumber: string | null;
  txHash: string | null;
  /** ISO 8601. */
  at: string;
}

/** A request or message as `status <hash>` shows it, from the status API or from the database. */
export interface RecordStatus {
  record: 'message' | 'request';
  hash: string;
  direction: 'STAKE' | 'REDEEM';
  state: string;
  reason: string | null;
  /** The message's request, or the request's message. */
  requestHash: string | null;
  messageHash: string | null;
  waitingFor: string | null;
  waiting: { kind: string; reason: string; since: string | null; ageSeconds: number | null } | null;
  history: HistoryLine[];
}

const HASH = /^0x[0-9a-f]{64}$/;

/** The hash `status <hash>` was given, lowercase; a typo is one line. */
export function parseRecordHash(value: string): string {
  const hash = value.toLowerCase();
  if (!HASH.test(hash)) throw new UserInputError(`${value} is not a message or request hash: expected 0x and 64 hex digits`);
  return hash;
}

const HISTORY_FIELDS = 'from state sourceStatus targetStatus event reason blockNumber txHash at';
const WAIT_FIELDS = 'waitingFor waiting { kind reason since ageSeconds }';

/** The status API's answer about one hash (message or request), or undefined when it knows neither. */
export async function liveRecordStatus(statusUrl: string, hash: string): Promise<RecordStatus | undefined> {
  const query = `{
    message(messageHash: "${hash}") { direction state reason messageHash requestHash ${WAIT_FIELDS} history { ${HISTORY_FIELDS} } }
    request(requestHash: "${hash}") { direction state reason requestHash messageHash ${WAIT_FIELDS} history { ${HISTORY_FIELDS} } }
  }`;
  let response: Response;
  try {
    response = await fetch(statusUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }), signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new Error(`the status API ${statusUrl} does not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  type Found = Omit<RecordStatus, 'record' | 'hash'>;
  const payload = (await response.json()) as { data?: { message: Found | null; request: Found | null }; errors?: Array<{ message: string }> };
  if (!payload.data) throw new Error(`the status API answered with errors: ${payload.errors?.map((e) => e.message).join('; ')}`);
  const { message, request } = payload.data;
  if (message) return { record: 'message', hash, ...message };
  if (request) return { record: 'request', hash, ...request };
  return undefined;
}

/** The pairs' addresses from the mosaic-config the facilitator-config names (none if it cannot be read: the anchor is then unknown). */
function pairsOf(config: FacilitatorConfig): PairAddresses[] {
  try {
    const mosaic = loadMosaicConfig(resolve(config.mosaicConfig ?? defaultMosaicConfigPath(config.auxChainId)));
    return Object.values(mosaic.auxiliaryChains).map(({ contractAddresses: { origin, auxiliary } }) => ({
      gateway: origin.ostEIP20GatewayAddress.toLowerCase(),
      coGateway: auxiliary.ostEIP20CogatewayAddress.toLowerCase(),
      originAnchor: origin.anchorAddress.toLowerCase(),
      auxiliaryAnchor: auxiliary.anchorAddress.toLowerCase(),
    }));
  } catch {
    return [];
  }
}

function historyLine(entry: HistoryEntry): HistoryLine {
  return {
    from: entry.from ?? null,
    state: entry.state,
    sourceStatus: entry.sourceStatus === undefined ? null : MessageStatus[entry.sourceStatus],
    targetStatus: entry.targetStatus === undefined ? null : MessageStatus[entry.targetStatus],
    event: entry.event,
    reason: entry.reason ?? null,
    blockNumber: entry.blockNumber === undefined ? null : entry.blockNumber.toString(),
    txHash: entry.txHash ?? null,
    at: new Date(entry.at).toISOString(),
  };
}

function waitOf(wait: Wait | null, now: number): Pick<RecordStatus, 'waitingFor' | 'waiting'> {
  if (!wait) return { waitingFor: null, waiting: null };
  const since = wait.since === undefined ? null : new Date(wait.since).toISOString();
  const ageSeconds = wait.since === undefined ? null : Math.max(0, Math.round((now - wait.since) / 1000));
  return { waitingFor: describeWait(wait, now), waiting: { kind: wait.kind, reason: wait.reason, since, ageSeconds } };
}

/** The database's answer about one hash while the facilitator is not running (everything then waits for it to run). */
export async function databaseRecordStatus(knex: Knex, config: FacilitatorConfig, hash: string): Promise<RecordStatus | undefined> {
  const store = new SqlFacilitationStore(knex);
  const waits = new WaitingFactsReader(store, new SqlOutbox(knex), () => [], () => 'stopped', pairsOf(config));
  const now = Date.now();
  const history = (entries: HistoryEntry[], record: 'message' | 'request') => entries.filter((e) => e.record === record).map(historyLine);
  const message = await store.getMessage(hash);
  if (message) {
    const wait = messageWait(message, await waits.messageFacts(message));
    const { direction, state, reason, stakeRequestHash } = message;
    return { record: 'message', hash, direction, state, reason: reason ?? null, requestHash: stakeRequestHash, messageHash: hash, ...waitOf(wait, now), history: history(await store.history(hash), 'message') };
  }
  const request = await store.getStakeRequest(hash);
  if (!request) return undefined;
  const itsMessage = request.messageHash ? await store.getMessage(request.messageHash) : undefined;
  const wait = requestWait(request, itsMessage, await waits.requestFacts(request, itsMessage));
  const { direction, state, reason, messageHash } = request;
  return { record: 'request', hash, direction, state, reason: reason ?? null, requestHash: hash, messageHash: messageHash ?? null, ...waitOf(wait, now), history: history(await store.history(hash), 'request') };
}

const DIRECTION_NAMES = { STAKE: 'stake & mint: origin → auxiliary', REDEEM: 'redeem & unstake: auxiliary → origin' } as const;

/** A short ISO time: seconds, no milliseconds. */
const shortTime = (iso: string) => iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');

/** What `status <hash>` prints: the record, what it waits for and since when, then its history as a table. */
export function recordLines(status: RecordStatus): string[] {
  const lines = [`${status.record} ${status.hash}`, `  direction    ${status.direction} (${DIRECTION_NAMES[status.direction]})`, `  state        ${status.state}${status.reason ? ` — ${status.reason}` : ''}`];
  if (status.record === 'message' && status.requestHash) lines.push(`  request      ${status.requestHash}`);
  if (status.record === 'request') lines.push(`  message      ${status.messageHash ?? '(none yet)'}`);
  if (!status.waiting) lines.push('  waiting for  nothing (its part is over)');
  else {
    lines.push(`  waiting for  ${status.waiting.reason}`);
    const since = status.waiting.since ? `${shortTime(status.waiting.since)} (${formatAge((status.waiting.ageSeconds ?? 0) * 1000)} ago)` : 'unknown';
    lines.push(`  since        ${since}`, `  kind         ${status.waiting.kind}`);
  }
  lines.push('', `history (${status.history.length} ${status.history.length === 1 ? 'change' : 'changes'}, oldest first):`);
  const rows = status.history.map((h) => [h.state, shortTime(h.at), h.blockNumber ?? '-', h.txHash ?? '-', h.event + (h.reason ? ` (${h.reason})` : '')]);
  const header = ['STATE', 'TIME (UTC)', 'BLOCK', 'TX HASH', 'EVENT'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  for (const row of [header, ...rows]) lines.push(`  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`);
  return lines;
}
