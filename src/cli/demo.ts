import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { writeSecretFile } from '../config/secret-file';
import { join, resolve } from 'node:path';
import pino from 'pino';
import type { LocalSigner } from '../chain/local-signer';
import { parseFacilitatorConfig, type FacilitatorConfig } from '../config/facilitator-config';
import { unlockKeystore } from '../config/keystore';
import type { RequestedStake } from '../devnet/demo-staker';
import { requestStakeOnDevnet } from '../devnet/devnet-stake';
import { startDevnet, type Devnet } from '../devnet/devnet';
import { devnetFacilitatorConfig } from '../devnet/devnet-facilitator-config';
import type { FacilitationChange, MessageRecord } from '../facilitation/model';
import { startRuntime, type Runtime } from '../facilitator/runtime';
import { REDACTED_PATHS, type Logger } from '../logging/logger';
import { MessageStatus } from '../mosaic/message-status';
import type { SubgraphSide } from '../subgraph/sides';
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

type Print = (line: string) => void;

/** The demo's console: `say` stamps a line with the seconds since the demo started, `out` writes it as is. */
function demoConsole(): { out: Print; say: Print } {
  const started = Date.now();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const say = (line: string) => out(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  return { out, say };
}

/**
 * Follows each stake request through the facilitator's store changes, prints every state it reaches,
 * and settles `finished` once every expected request is COMPLETED.
 */
class RequestTracker {
  readonly rows: Tracked[] = [];
  private readonly byRequest = new Map<string, Tracked>();
  private readonly byMessage = new Map<string, Tracked>();
  /** Messages seen for a stake request before our own receipt of requestStake arrived. */
  private readonly early = new Map<string, MessageRecord[]>();
  private finish: () => void = () => undefined;
  readonly finished = new Promise<void>((resolveFinished) => (this.finish = resolveFinished));

  constructor(
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

  /** Registers a request once its requestStake receipt is in, then replays what the facilitator already did with it. */
  add(index: number, stake: RequestedStake): void {
    const row: Tracked = { index, stake, requestedAt: Date.now(), state: 'REQUESTED' };
    this.rows.push(row);
    this.byRequest.set(stake.stakeRequestHash.toLowerCase(), row);
    this.say(`request #${row.index} REQUESTED  stake request ${short(stake.stakeRequestHash)} by ${short(stake.staker)}`);
    const seen = this.early.get(stake.stakeRequestHash.toLowerCase()) ?? [];
    this.early.delete(stake.stakeRequestHash.toLowerCase());
    for (const message of seen) this.onMessage(message);
  }

  /** Requests are added as their receipts arrive; the table lists them in request order. */
  sortByIndex(): void {
    this.rows.sort((a, b) => a.index - b.index);
  }

  onStoreChange(change: FacilitationChange): void {
    if (change.kind !== 'stake') return;
    const { next, changed } = change.transition;
    const record = next.request;
    const row = record && this.byRequest.get(record.stakeRequestHash);
    if (row && record?.messageHash) {
      row.messageHash = record.messageHash;
      this.byMessage.set(record.messageHash, row);
    }
    if (changed.message && next.message) this.onMessage(next.message);
  }

  private onMessage(message: MessageRecord): void {
    const row = this.byMessage.get(message.messageHash) ?? this.byRequest.get(message.stakeRequestHash);
    if (!row) {
      // The facilitator can be quicker than our own receipt of requestStake: replay once the row exists.
      this.early.set(message.stakeRequestHash, [...(this.early.get(message.stakeRequestHash) ?? []), message]);
      return;
    }
    row.messageHash = message.messageHash;
    this.byMessage.set(message.messageHash, row);
    const minted = message.targetStatus === MessageStatus.Progressed;
    if (minted && row.completedAt === undefined) row.completedAt = Date.now();
    this.report(row, message.state, minted ? `message ${short(message.messageHash)} minted on the auxiliary chain` : `message ${short(message.messageHash)}`);
    if (this.rows.length === this.expected && this.allCompleted()) this.finish();
  }

  private report(row: Tracked, state: string, detail: string): void {
    if (row.state === state) return;
    row.state = state;
    this.say(`request #${row.index} ${state.padEnd(10)} ${detail}`);
  }
}

/** Writes the facilitator config (workers in encrypted keystores) and parses it back as the facilitator would. */
async function writeDemoFacilitatorConfig(devnet: Devnet, dir: string, password: string): Promise<FacilitatorConfig> {
  const configPlain = await devnetFacilitatorConfig(devnet.info, {
    databasePath: join(dir, 'facilitator.sqlite'),
    mosaicConfigPath: devnet.info.mosaicConfig,
    password,
  });
  const configPath = join(dir, 'facilitator-config.json');
  writeSecretFile(configPath, `${JSON.stringify(configPlain, null, 2)}\n`);
  return parseFacilitatorConfig(configPlain, `facilitator-config ${configPath}`);
}

/** The workers' signers on each side, unlocked from their keystores. */
async function unlockDemoSigners(config: FacilitatorConfig, password: string): Promise<Record<SubgraphSide, LocalSigner[]>> {
  const signers: Record<SubgraphSide, LocalSigner[]> = { origin: [], auxiliary: [] };
  for (const [side, chainId] of [['origin', config.originChainId], ['auxiliary', config.auxChainId]] as const) {
    for (const worker of config.chains[String(chainId)].workers) signers[side].push(await unlockKeystore(worker, config.encryptedAccounts[worker], password));
  }
  return signers;
}

/** The facilitator's JSON-lines log, appended to a file so the console stays for the demo's progress. */
function demoLogger(logPath: string): Logger {
  return pino(
    { name: 'facilitator', level: process.env.LOG_LEVEL ?? 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    createWriteStream(logPath, { flags: 'a' }),
  );
}

/** Starts the facilitator with embedded indexers against the devnet, its keys going through keystores as in production. */
async function startDemoFacilitator(devnet: Devnet, dir: string, say: Print): Promise<{ runtime: Runtime; logPath: string }> {
  // The password lives only in this process.
  const password = randomBytes(24).toString('hex');
  const config = await writeDemoFacilitatorConfig(devnet, dir, password);
  const signers = await unlockDemoSigners(config, password);
  const logPath = join(dir, 'facilitator.log');
  const logger = demoLogger(logPath);
  say('starting the facilitator with embedded indexers (first run builds the subgraphs with graph-cli: ~20 s)…');
  process.env.MOSAIC_SUBGRAPH_CACHE ??= join(dir, 'subgraphs');
  const runtime = await startRuntime({ mosaic: devnet.mosaicConfig, config, signers, logger, status: { port: 0 } });
  say(`facilitator running; status API ${runtime.status?.url}; logs (JSON lines, streams and transitions): ${logPath}`);
  return { runtime, logPath };
}

/** One stake request per staker account, all at once. */
async function requestDemoStakes(devnet: Devnet, requests: number, tracker: RequestTracker, say: Print): Promise<void> {
  const stakers = devnet.info.accounts.filter((a) => a.role === 'staker').slice(0, requests);
  say(`demo staker: ${requests} request(s) of ${formatTokenAmount(100n * 10n ** 18n)} OST`);
  await Promise.all(
    stakers.map(async (staker, i) => {
      const stake = await requestStakeOnDevnet(devnet, staker.address);
      tracker.add(i + 1, stake);
    }),
  );
  tracker.sortByIndex();
}

/** Waits until every request is minted or the timeout passes; true when all were minted. */
async function waitForMinting(tracker: RequestTracker, timeoutSeconds: number): Promise<boolean> {
  const timer = setTimeout(() => tracker.giveUp(), timeoutSeconds * 1000);
  await tracker.finished;
  clearTimeout(timer);
  return tracker.allCompleted();
}

/**
 * The whole product on this machine: devnet, embedded indexers, the facilitator (its keys in
 * encrypted keystores, as in production) and a demo staker; progress as requests move through the
 * states, then a final table. Exit 0 once every request is minted.
 */
async function runDemo(options: DemoOptions): Promise<void> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const { out, say } = demoConsole();

  say('starting the devnet (two anvil chains, Mosaic 0.12 deployed)…');
  const devnet = await startDevnet({ originPort: 0, auxiliaryPort: 0, stakers: Math.max(options.requests, 1), dir: join(dir, 'devnet') });
  say(`origin ${devnet.info.origin.rpcUrl} (chain ${devnet.info.origin.chainId}), auxiliary ${devnet.info.auxiliary.rpcUrl} (chain ${devnet.info.auxChainId})`);
  const { runtime, logPath } = await startDemoFacilitator(devnet, dir, say);

  const tracker = new RequestTracker(options.requests, say);
  const subscription = runtime.facilitator.context.store.changes$.subscribe((change) => tracker.onStoreChange(change));
  await requestDemoStakes(devnet, options.requests, tracker, say);
  const success = await waitForMinting(tracker, options.timeout);
  printTable(tracker.rows, out);
  out('');
  say(success ? `all ${tracker.rows.length} request(s) minted.` : `not every request was minted within ${options.timeout} s: see ${logPath}`);

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
