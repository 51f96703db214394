import { Command } from 'commander';
import { facilitatorConfigPath } from './resolve-configs';
import { loadFacilitatorConfig } from '../config/facilitator-config';
import { openDatabase } from '../db/open-database';
import { parseChainId } from './option-parsers';
import { isRunning, listRunFiles, readRunFile } from './run-files';

const STATUS_QUERY = `{
  messageCounts { state count }
  workers { chainId address balance tokenBalance nonce pendingTransactions { purpose subject status txHash } }
  streams { name cursor lag subgraphHead }
}`;

interface LiveStatus {
  messageCounts: Array<{ state: string; count: number }>;
  workers: Array<{ chainId: number; address: string; balance: string; tokenBalance: string | null; nonce: string | null; pendingTransactions: Array<{ purpose: string; subject: string; status: string }> }>;
  streams: Array<{ name: string; cursor: number | null; lag: number | null; subgraphHead: number | null }>;
}

async function liveStatus(statusUrl: string): Promise<LiveStatus> {
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
  const payload = (await response.json()) as { data?: LiveStatus; errors?: Array<{ message: string }> };
  if (!payload.data) throw new Error(`the status API answered with errors: ${payload.errors?.map((e) => e.message).join('; ')}`);
  return payload.data;
}

function print(status: LiveStatus, write: (line: string) => void): void {
  write('messages by state:');
  if (status.messageCounts.length === 0) write('  (none)');
  for (const { state, count } of status.messageCounts) write(`  ${state.padEnd(12)} ${count}`);
  write('workers:');
  for (const w of status.workers) {
    write(`  chain ${w.chainId}  ${w.address}  balance ${w.balance} wei${w.tokenBalance !== null ? `  OST ${w.tokenBalance}` : ''}  next nonce ${w.nonce ?? '-'}  pending ${w.pendingTransactions.length}`);
    for (const tx of w.pendingTransactions) write(`    ${tx.status.padEnd(7)} ${tx.purpose} ${tx.subject}`);
  }
  write('streams:');
  for (const s of status.streams) write(`  ${s.name.padEnd(32)} cursor ${s.cursor ?? '-'}  lag ${s.lag ?? '-'}`);
}

async function runStatus(options: { auxChainId?: number; facilitatorConfig?: string; json: boolean }): Promise<void> {
  const write = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  const run = options.auxChainId !== undefined ? readRunFile(options.auxChainId) : listRunFiles().find((r) => r.alive);
  if (run && isRunning(run) && run.statusUrl) {
    const status = await liveStatus(run.statusUrl);
    if (options.json) return write(JSON.stringify({ running: true, pid: run.pid, auxChainId: run.auxChainId, ...status }));
    write(`facilitator for auxiliary chain ${run.auxChainId}: running (pid ${run.pid}, status API ${run.statusUrl})`);
    return print(status, write);
  }
  // Not running: read what the database says, read-only (status never creates or migrates one).
  const config = loadFacilitatorConfig(facilitatorConfigPath({ auxChainId: options.auxChainId, facilitatorConfig: options.facilitatorConfig }));
  const knex = await openDatabase(config.database.path, { readOnly: true });
  try {
    const counts = (await knex('messages').select('state').count({ count: '*' }).groupBy('state')) as Array<{ state: string; count: number | string }>;
    const pending = (await knex('transactions').whereIn('status', ['queued', 'sent']).select('chain_id', 'worker', 'purpose', 'subject', 'status')) as Array<{ chain_id: number; worker: string; purpose: string; subject: string; status: string }>;
    const cursors = (await knex('stream_cursors').select('stream', 'through_block')) as Array<{ stream: string; through_block: number | string }>;
    if (options.json) {
      return write(JSON.stringify({ running: false, auxChainId: config.auxChainId, messageCounts: counts.map((c) => ({ state: c.state, count: Number(c.count) })), pendingTransactions: pending, streams: cursors.map((c) => ({ name: c.stream, cursor: Number(c.through_block) })) }));
    }
    write(`facilitator for auxiliary chain ${config.auxChainId}: not running (from its database ${config.database.path})`);
    write('messages by state:');
    if (counts.length === 0) write('  (none)');
    for (const c of counts) write(`  ${c.state.padEnd(12)} ${Number(c.count)}`);
    write(`pending transactions: ${pending.length}`);
    for (const tx of pending) write(`  chain ${tx.chain_id} ${tx.worker} ${tx.status.padEnd(7)} ${tx.purpose} ${tx.subject}`);
    write('streams:');
    for (const c of cursors) write(`  ${c.stream.padEnd(32)} cursor ${Number(c.through_block)}`);
  } finally {
    await knex.destroy();
  }
}

export function statusCommand(): Command {
  return new Command('status')
    .description('messages by state, worker balances, pending transactions, and each stream\'s cursor and lag')
    .option('--aux-chain-id <id>', 'which facilitator (default: the running one, or the only config under ~/.mosaic)', parseChainId)
    .option('--facilitator-config <path>', 'read this config\'s database when the facilitator is not running')
    .option('--json', 'machine-readable output', false)
    .addHelpText('after', '\nExamples:\n  $ facilitator status\n  $ facilitator status --aux-chain-id 1405 --json')
    .action(async (options: { auxChainId?: number; facilitatorConfig?: string; json: boolean }) => runStatus(options));
}
