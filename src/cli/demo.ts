import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { parseFacilitatorConfig } from '../config/facilitator-config';
import { unlockKeystore } from '../config/keystore';
import type { RequestedStake } from '../devnet/demo-staker';
import { requestStakeOnDevnet } from '../devnet/devnet-stake';
import { startDevnet } from '../devnet/devnet';
import { devnetFacilitatorConfig } from '../devnet/devnet-facilitator-config';
import type { MessageRecord, StakeRequestRecord } from '../facilitation/model';
import { startRuntime } from '../facilitator/runtime';
import { REDACTED_PATHS } from '../logging/logger';
import { MessageStatus } from '../mosaic/message-status';
import { formatTokenAmount, parseNonNegativeInteger, parsePositiveInteger } from './option-parsers';
import { waitForShutdownSignal } from './signals';

interface DemoOptions {
  dir: string;
  requests: number;
  keepRunning: boolean;
  timeout: number;
}

interface Tracked {
  index: number;
  stake: RequestedStake;
  requestedAt: number;
  messageHash?: string;
  state: string;
  completedAt?: number;
}

const short = (hash: string | undefined) => (hash ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : '-');

function printTable(rows: Tracked[], write: (line: string) => void): void {
  write('');
  write(' #  staker             stake request      message hash       final state  latency');
  for (const row of rows) {
    const latency = row.completedAt !== undefined ? `${((row.completedAt - row.requestedAt) / 1000).toFixed(2)} s` : '-';
    write(
      `${String(row.index).padStart(2)}  ${short(row.stake.staker).padEnd(18)} ${short(row.stake.stakeRequestHash).padEnd(18)} ${short(row.messageHash).padEnd(18)} ${row.state.padEnd(12)} ${latency}`,
    );
  }
}

/**
 * The whole product on this machine: devnet, embedded indexers, the facilitator (its keys in
 * encrypted keystores, as in production) and a demo staker; progress as requests move through the
 * states, then a final table. Exit 0 once every request is minted.
 */
async function runDemo(options: DemoOptions): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const at = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s]`;

  out(`${at()} starting the devnet (two anvil chains, Mosaic 0.12 deployed)…`);
  const devnet = await startDevnet({ originPort: 0, auxiliaryPort: 0, stakers: Math.max(options.requests, 1), dir: join(dir, 'devnet') });
  out(`${at()} origin ${devnet.info.origin.rpcUrl} (chain ${devnet.info.origin.chainId}), auxiliary ${devnet.info.auxiliary.rpcUrl} (chain ${devnet.info.auxChainId})`);

  // Keys go through encrypted keystores as in production; the password lives only in this process.
  const password = randomBytes(24).toString('hex');
  const configPlain = await devnetFacilitatorConfig(devnet.info, {
    databasePath: join(dir, 'facilitator.sqlite'),
    mosaicConfigPath: devnet.info.mosaicConfig,
    password,
  });
  const configPath = join(dir, 'facilitator-config.json');
  writeFileSync(configPath, `${JSON.stringify(configPlain, null, 2)}\n`, { mode: 0o600 });
  const config = parseFacilitatorConfig(configPlain, `facilitator-config ${configPath}`);
  const signers = { origin: [] as Awaited<ReturnType<typeof unlockKeystore>>[], auxiliary: [] as Awaited<ReturnType<typeof unlockKeystore>>[] };
  for (const [side, chainId] of [['origin', config.originChainId], ['auxiliary', config.auxChainId]] as const) {
    for (const worker of config.chains[String(chainId)].workers) signers[side].push(await unlockKeystore(worker, config.encryptedAccounts[worker], password));
  }

  const logPath = join(dir, 'facilitator.log');
  const logger = pino(
    { name: 'facilitator', level: process.env.LOG_LEVEL ?? 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    createWriteStream(logPath, { flags: 'a' }),
  );
  out(`${at()} starting the facilitator with embedded indexers (first run builds the subgraphs with graph-cli: ~20 s)…`);
  process.env.MOSAIC_SUBGRAPH_CACHE ??= join(dir, 'subgraphs');
  const runtime = await startRuntime({ mosaic: devnet.mosaicConfig, config, signers, logger, status: { port: 0 } });
  out(`${at()} facilitator running; status API ${runtime.status?.url}; logs (JSON lines, streams and transitions): ${logPath}`);

  const tracked: Tracked[] = [];
  const byRequest = new Map<string, Tracked>();
  const byMessage = new Map<string, Tracked>();
  const report = (row: Tracked, state: string, detail = '') => {
    if (row.state === state) return;
    row.state = state;
    out(`${at()} request #${row.index} ${state.padEnd(10)} ${detail}`);
  };
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolveDone) => (allDone = resolveDone));
  const checkDone = () => {
    if (tracked.length === options.requests && tracked.every((t) => t.state === 'COMPLETED')) allDone();
  };
  const early = new Map<string, MessageRecord[]>();
  const subscription = runtime.facilitator.context.store.changes$.subscribe((change) => {
    if (change.kind === 'stakeRequest') {
      const record = change.record as StakeRequestRecord;
      const row = byRequest.get(record.stakeRequestHash);
      if (row && record.messageHash) {
        row.messageHash = record.messageHash;
        byMessage.set(record.messageHash, row);
      }
    } else if (change.kind === 'message') {
      onMessage(change.record as MessageRecord);
    }
  });
  function onMessage(message: MessageRecord): void {
    const row = byMessage.get(message.messageHash) ?? byRequest.get(message.stakeRequestHash);
    if (!row) {
      // The facilitator can be quicker than our own receipt of requestStake: replay once the row exists.
      early.set(message.stakeRequestHash, [...(early.get(message.stakeRequestHash) ?? []), message]);
      return;
    }
    row.messageHash = message.messageHash;
    byMessage.set(message.messageHash, row);
    const minted = message.targetStatus === MessageStatus.Progressed;
    if (minted && row.completedAt === undefined) row.completedAt = Date.now();
    report(row, message.state, minted ? `message ${short(message.messageHash)} minted on the auxiliary chain` : `message ${short(message.messageHash)}`);
    checkDone();
  }

  const stakers = devnet.info.accounts.filter((a) => a.role === 'staker').slice(0, options.requests);
  out(`${at()} demo staker: ${options.requests} request(s) of ${formatTokenAmount(100n * 10n ** 18n)} OST`);
  await Promise.all(
    stakers.map(async (staker, i) => {
      const stake = await requestStakeOnDevnet(devnet, staker.address);
      const row: Tracked = { index: i + 1, stake, requestedAt: Date.now(), state: 'REQUESTED' };
      tracked.push(row);
      byRequest.set(stake.stakeRequestHash.toLowerCase(), row);
      out(`${at()} request #${row.index} REQUESTED  stake request ${short(stake.stakeRequestHash)} by ${short(stake.staker)}`);
      const seen = early.get(stake.stakeRequestHash.toLowerCase()) ?? [];
      early.delete(stake.stakeRequestHash.toLowerCase());
      for (const message of seen) onMessage(message);
    }),
  );
  tracked.sort((a, b) => a.index - b.index);

  const timer = setTimeout(() => allDone(), options.timeout * 1000);
  await done;
  clearTimeout(timer);
  const success = tracked.every((t) => t.state === 'COMPLETED');
  printTable(tracked, out);
  out('');
  out(success ? `${at()} all ${tracked.length} request(s) minted.` : `${at()} not every request was minted within ${options.timeout} s: see ${logPath}`);

  if (options.keepRunning && success) {
    out('still running (--keep-running): Ctrl-C to stop.');
    await waitForShutdownSignal();
  }
  subscription.unsubscribe();
  await runtime.stop();
  await devnet.close();
  if (!success) process.exitCode = 1;
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('one-command demo: devnet + embedded indexers + facilitator + demo staker; exits 0 once all requests are minted')
    .option('--requests <n>', 'stake requests to make (one staker each)', parsePositiveInteger, 3)
    .option('--dir <path>', 'folder for the demo\'s files (configs, database, logs)', './.demo')
    .option('--timeout <seconds>', 'give up (exit 1) after this long', parseNonNegativeInteger, 300)
    .option('--keep-running', 'keep everything running after the final table, until Ctrl-C', false)
    .addHelpText(
      'after',
      `
Examples:
  $ facilitator demo
  $ facilitator demo --requests 10 --keep-running`,
    )
    .action(async (options: DemoOptions) => runDemo(options));
}
