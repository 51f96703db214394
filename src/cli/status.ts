import { Command } from 'commander';
import type { Knex } from 'knex';
import { DIRECTIONS, type MessageState, type StakeRequestState } from '../facilitation/model';
import { facilitatorConfigPath } from './resolve-configs';
import { loadFacilitatorConfig } from '../config/facilitator-config';
import { describeTarget } from '../db/database-target';
import { openDatabaseTarget } from '../db/open-database';
import { databaseTargetOf } from './passwords';
import { parseChainId } from './option-parsers';
import { UserInputError } from '../errors/user-errors';
import { isRunning, listRunFiles, readRunFile } from './run-files';
import { databaseRecordStatus, liveRecordStatus, parseRecordHash, recordLines, type RecordStatus } from './status-record';
import { RPC_ENDPOINTS_QUERY, rpcEndpointLines, type RpcChainAnswer } from './status-endpoints';
import { formatWorkerBalances } from '../status/units';

/** How many messages or requests of one direction are in one state. */
interface DirectionCount {
  direction: string;
  state: string;
  count: number;
}

const STATUS_QUERY = `{
  role
  messageCounts { state count }
  stakeMessages: messageCounts(direction: STAKE) { direction state count }
  redeemMessages: messageCounts(direction: REDEEM) { direction state count }
  stakeRequests: stakeRequestCounts(direction: STAKE) { direction state count }
  redeemRequests: stakeRequestCounts(direction: REDEEM) { direction state count }
  workers { chainId address balance tokenBalance nonce pendingTransactions { purpose subject status txHash } }
  streams { name cursor lag subgraphHead }
  ${RPC_ENDPOINTS_QUERY}
}`;

interface LiveAnswer {
  role: 'ACTIVE' | 'STANDBY';
  messageCounts: Array<{ state: string; count: number }>;
  stakeMessages: DirectionCount[];
  redeemMessages: DirectionCount[];
  stakeRequests: DirectionCount[];
  redeemRequests: DirectionCount[];
  workers: Array<{ chainId: number; address: string; balance: string; tokenBalance: string | null; nonce: string | null; pendingTransactions: Array<{ purpose: string; subject: string; status: string }> }>;
  streams: Array<{ name: string; cursor: number | null; lag: number | null; subgraphHead: number | null }>;
  rpcChains: RpcChainAnswer[];
}

/** What `status` shows of a running facilitator (`--json` prints it as is). */
interface LiveStatus {
  /** ACTIVE (sends) or STANDBY (waits for the active instance's lease). */
  role: 'ACTIVE' | 'STANDBY';
  /** Both directions added up, by state. */
  messageCounts: Array<{ state: string; count: number }>;
  messageCountsByDirection: DirectionCount[];
  requestCountsByDirection: DirectionCount[];
  workers: LiveAnswer['workers'];
  streams: LiveAnswer['streams'];
  /** Each chain's JSON-RPC endpoints (API keys hidden), the active one marked, and its failovers. */
  rpcChains: RpcChainAnswer[];
}

export async function liveStatus(statusUrl: string): Promise<LiveStatus> {
  let response: Response;
  try {
    response = await fetch(statusUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: STATUS_QUERY }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new Error(`the status API ${statusUrl} does not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  const payload = (await response.json()) as { data?: LiveAnswer; errors?: Array<{ message: string }> };
  if (!payload.data) throw new Error(`the status API answered with errors: ${payload.errors?.map((e) => e.message).join('; ')}`);
  const { role, messageCounts, stakeMessages, redeemMessages, stakeRequests, redeemRequests, workers, streams, rpcChains } = payload.data;
  return {
    role,
    messageCounts,
    messageCountsByDirection: [...stakeMessages, ...redeemMessages],
    requestCountsByDirection: [...stakeRequests, ...redeemRequests],
    workers,
    streams,
    rpcChains,
  };
}

const MESSAGE_STATES: readonly MessageState[] = ['ACCEPTING', 'DECLARED', 'CONFIRMING', 'CONFIRMED', 'COMPLETED', 'ABANDONED', 'ADMIN_ABANDONED', 'FAILED'];
const REQUEST_STATES: readonly StakeRequestState[] = ['REQUESTED', 'ACCEPTING', 'ACCEPTED', 'REVOKED', 'REJECTED', 'IGNORED', 'TAKEN', 'ORPHANED', 'FAILED'];

/** One row per state that has any (in lifecycle order, unknown states last), one column per direction. */
export function countsTable(title: string, counts: DirectionCount[], lifecycle: readonly string[]): string[] {
  const rank = (state: string) => (lifecycle.includes(state) ? lifecycle.indexOf(state) : lifecycle.length);
  const states = [...new Set(counts.map((c) => c.state))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const countOf = (direction: string, state: string) => counts.filter((c) => c.direction === direction && c.state === state).reduce((sum, c) => sum + c.count, 0);
  const lines = [`${`${title}:`.padEnd(20)}${DIRECTIONS.map((d) => d.padStart(8)).join('')}`];
  if (states.length === 0) lines.push('  (none)');
  for (const state of states) lines.push(`  ${state.padEnd(18)}${DIRECTIONS.map((d) => String(countOf(d, state)).padStart(8)).join('')}`);
  return lines;
}

function printCounts(status: { messageCountsByDirection: DirectionCount[]; requestCountsByDirection: DirectionCount[] }, write: (line: string) => void): void {
  for (const line of countsTable('messages by state', status.messageCountsByDirection, MESSAGE_STATES)) write(line);
  for (const line of countsTable('requests by state', status.requestCountsByDirection, REQUEST_STATES)) write(line);
}

function print(status: LiveStatus, originChainId: number, write: (line: string) => void): void {
  printCounts(status, write);
  write('workers:');
  for (const w of status.workers) {
    write(`  chain ${w.chainId}  ${w.address}  ${formatWorkerBalances(w, originChainId)}  next nonce ${w.nonce ?? '-'}  pending ${w.pendingTransactions.length}`);
    for (const tx of w.pendingTransactions) write(`    ${tx.status.padEnd(7)} ${tx.purpose} ${tx.subject}`);
  }
  write('streams:');
  for (const s of status.streams) write(`  ${s.name.padEnd(32)} cursor ${s.cursor ?? '-'}  lag ${s.lag ?? '-'}`);
  for (const line of rpcEndpointLines(status.rpcChains)) write(line);
}

/** Rows by direction and state; a database from before the direction column (status never migrates) holds stakes only. */
async function countsByDirection(knex: Knex, table: 'messages' | 'stake_requests'): Promise<DirectionCount[]> {
  const hasDirection = await knex.schema.hasColumn(table, 'direction');
  const groups = hasDirection ? ['direction', 'state'] : ['state'];
  const rows = (await knex(table).select(groups).count({ count: '*' }).groupBy(groups)) as Array<{ direction?: string; state: string; count: number | string }>;
  return rows.map((r) => ({ direction: r.direction ?? 'STAKE', state: r.state, count: Number(r.count) }));
}

/** Both directions added up, by state (what `messageCounts` was before directions). */
function totalsByState(counts: DirectionCount[]): Array<{ state: string; count: number }> {
  const totals = new Map<string, number>();
  for (const { state, count } of counts) totals.set(state, (totals.get(state) ?? 0) + count);
  return [...totals].map(([state, count]) => ({ state, count }));
}

/** What the database says, read-only (status never creates or migrates one). */
async function printFromDatabase(options: { auxChainId?: number; facilitatorConfig?: string; json: boolean }, write: (line: string) => void): Promise<void> {
  const config = loadFacilitatorConfig(facilitatorConfigPath({ auxChainId: options.auxChainId, facilitatorConfig: options.facilitatorConfig }));
  const target = await databaseTargetOf(config.database);
  const knex = await openDatabaseTarget(target, { readOnly: true });
  try {
    const messageCountsByDirection = await countsByDirection(knex, 'messages');
    const requestCountsByDirection = await countsByDirection(knex, 'stake_requests');
    const pending = (await knex('transactions').whereIn('status', ['queued', 'sent']).select('chain_id', 'worker', 'purpose', 'subject', 'status')) as Array<{ chain_id: number; worker: string; purpose: string; subject: string; status: string }>;
    const cursors = (await knex('stream_cursors').select('stream', 'through_block')) as Array<{ stream: string; through_block: number | string }>;
    const streams = cursors.map((c) => ({ name: c.stream, cursor: Number(c.through_block) }));
    if (options.json) {
      const messageCounts = totalsByState(messageCountsByDirection);
      return write(JSON.stringify({ running: false, auxChainId: config.auxChainId, messageCounts, messageCountsByDirection, requestCountsByDirection, pendingTransactions: pending, streams }));
    }
    write(`facilitator for auxiliary chain ${config.auxChainId}: not running (from its database ${describeTarget(target)})`);
    printCounts({ messageCountsByDirection, requestCountsByDirection }, write);
    write(`pending transactions: ${pending.length}`);
    for (const tx of pending) write(`  chain ${tx.chain_id} ${tx.worker} ${tx.status.padEnd(7)} ${tx.purpose} ${tx.subject}`);
    write('streams:');
    for (const s of streams) write(`  ${s.name.padEnd(32)} cursor ${s.cursor}`);
  } finally {
    await knex.destroy();
  }
}

interface StatusOptions {
  auxChainId?: number;
  facilitatorConfig?: string;
  json: boolean;
}

/**
 * `status <hash>`: one message or request — its state, what it waits for and since when, its history —
 * from the running facilitator's status API, else from its database (read-only). Unknown: one line, exit 1.
 */
async function runRecordStatus(hash: string, options: StatusOptions, write: (line: string) => void): Promise<void> {
  const run = options.auxChainId !== undefined ? readRunFile(options.auxChainId) : listRunFiles().find((r) => r.alive);
  let found: RecordStatus | undefined;
  let where: string;
  if (run && isRunning(run) && run.statusUrl) {
    found = await liveRecordStatus(run.statusUrl, hash);
    where = `the running facilitator (status API ${run.statusUrl})`;
  } else {
    const config = loadFacilitatorConfig(facilitatorConfigPath({ auxChainId: options.auxChainId, facilitatorConfig: options.facilitatorConfig }));
    const target = await databaseTargetOf(config.database);
    const knex = await openDatabaseTarget(target, { readOnly: true });
    try {
      found = await databaseRecordStatus(knex, config, hash);
    } finally {
      await knex.destroy();
    }
    where = `the database ${describeTarget(target)} (the facilitator is not running)`;
  }
  if (!found) throw new UserInputError(`no message or request ${hash} in ${where}: check the hash (\`facilitator status\` shows what there is)`);
  if (options.json) return write(JSON.stringify(found));
  for (const line of recordLines(found)) write(line);
}

async function runStatus(hashArgument: string | undefined, options: StatusOptions): Promise<void> {
  const write = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  if (hashArgument !== undefined) return runRecordStatus(parseRecordHash(hashArgument), options, write);
  const run = options.auxChainId !== undefined ? readRunFile(options.auxChainId) : listRunFiles().find((r) => r.alive);
  if (run && isRunning(run) && run.statusUrl) {
    const status = await liveStatus(run.statusUrl);
    if (options.json) return write(JSON.stringify({ running: true, pid: run.pid, auxChainId: run.auxChainId, ...status }));
    write(`facilitator for auxiliary chain ${run.auxChainId}: running, ${status.role.toLowerCase()} (pid ${run.pid}, status API ${run.statusUrl})`);
    return print(status, run.originChainId, write);
  }
  await printFromDatabase(options, write);
}

export function statusCommand(): Command {
  return new Command('status')
    .description('messages and requests by state and direction (STAKE, REDEEM), worker balances, pending transactions, and each stream\'s cursor and lag')
    .argument('[hash]', 'a message or request hash: its state, direction, what it waits for (since when) and its history')
    .option('--aux-chain-id <id>', 'which facilitator (default: the running one, or the only config under ~/.mosaic)', parseChainId)
    .option('--facilitator-config <path>', 'read this config\'s database when the facilitator is not running')
    .option('--json', 'machine-readable output', false)
    .addHelpText('after', '\nExamples:\n  $ facilitator status\n  $ facilitator status --aux-chain-id 1405 --json\n  $ facilitator status 0x<message or request hash>')
    .action(async (hash: string | undefined, options: StatusOptions) => runStatus(hash, options));
}
