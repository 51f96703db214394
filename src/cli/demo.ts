import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { ADMIN_TOKEN_FILE, ensureAdminToken } from '../config/admin-token';
import { writeSecretFile } from '../config/secret-file';
import { join, resolve } from 'node:path';
import type { LocalSigner } from '../chain/local-signer';
import { parseFacilitatorConfig, type FacilitatorConfig } from '../config/facilitator-config';
import { unlockKeystore } from '../config/keystore';
import { DEFAULT_STAKE } from '../devnet/demo-staker';
import { startDevnet, type Devnet } from '../devnet/devnet';
import { devnetContracts } from '../devnet/devnet-contracts';
import { devnetFacilitatorConfig } from '../devnet/devnet-facilitator-config';
import { DEVNET_DATABASE, forgetPreviousDevnet } from '../devnet/forget-previous-devnet';
import { requestRedeemOnDevnet } from '../devnet/devnet-redeem';
import { requestStakeOnDevnet } from '../devnet/devnet-stake';
import type { Direction } from '../facilitation/model';
import type { FacilitationStore } from '../facilitation/store-port';
import { startRuntime, type Runtime } from '../facilitator/runtime';
import { createLogger, type LogFormat, type Logger } from '../logging/logger';
import type { SubgraphSide } from '../subgraph/sides';
import { incompleteLine, printOutcomeTable, readBalances, readOutcomes, type BalanceReader, type PhaseBalances } from './demo-report';
import { DIRECTION_WORDS, DirectionTracker, type Print } from './demo-tracker';
import { bigintOption, formatTokenAmount, logFormatOption, parseNonNegativeInteger, parsePositiveInteger, parseTokenAmount } from './option-parsers';
import { waitForShutdownSignal } from './signals';

/** What each demo staker redeems back once its 100 OST stake completed. */
const DEMO_REDEEM = 40n * 10n ** 18n;

interface DemoOptions {
  dir: string;
  requests: number;
  /** OST′ each staker redeems back (0n: stake only). */
  redeem: bigint;
  keepRunning: boolean;
  timeout: number;
  logFormat: LogFormat;
}

/** The demo's console: `say` stamps a line with the seconds since the demo started, `out` writes it as is. */
function demoConsole(): { out: Print; say: Print } {
  const started = Date.now();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const say = (line: string) => out(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  return { out, say };
}

/** Writes the facilitator config (workers in encrypted keystores) and parses it back as the facilitator would. */
async function writeDemoFacilitatorConfig(devnet: Devnet, dir: string, password: string): Promise<FacilitatorConfig> {
  const configPlain = await devnetFacilitatorConfig(devnet.info, {
    databasePath: join(dir, DEVNET_DATABASE),
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

/** The facilitator's log, appended to a file (JSON lines unless told) so the console stays for the demo's progress. */
function demoLogger(logPath: string, format: LogFormat): Logger {
  return createLogger({ destination: createWriteStream(logPath, { flags: 'w' }), format });
}


/** Starts the facilitator with embedded indexers against the devnet, its keys going through keystores as in production. */
async function startDemoFacilitator(devnet: Devnet, dir: string, logFormat: LogFormat, say: Print): Promise<{ runtime: Runtime; logPath: string }> {
  // The password lives only in this process.
  const password = randomBytes(24).toString('hex');
  const config = await writeDemoFacilitatorConfig(devnet, dir, password);
  const signers = await unlockDemoSigners(config, password);
  const logPath = join(dir, 'facilitator.log');
  const logger = demoLogger(logPath, logFormat);
  say('starting the facilitator with embedded indexers (first run builds the subgraphs with graph-cli: ~20 s)…');
  process.env.MOSAIC_SUBGRAPH_CACHE ??= join(dir, 'subgraphs');
  const adminTokenFile = join(dir, ADMIN_TOKEN_FILE);
  const { token: adminToken } = ensureAdminToken(adminTokenFile);
  const runtime = await startRuntime({ mosaic: devnet.mosaicConfig, config, signers, logger, status: { port: 0 }, adminToken });
  say(`facilitator running; status API ${runtime.status?.url} (admin actions: POST /admin, token in ${adminTokenFile}); logs (${logFormat === 'json' ? 'JSON lines' : 'readable lines'}, streams and transitions): ${logPath}`);
  return { runtime, logPath };
}

/** The devnet's staker accounts the demo uses, one request each way per account. */
const demoAccounts = (devnet: Devnet, requests: number) => devnet.info.accounts.filter((a) => a.role === 'staker').slice(0, requests).map((a) => a.address);

/** Waits until every request of the tracker is COMPLETED or the timeout passes; true when all were. */
async function waitForCompletion(tracker: DirectionTracker, timeoutSeconds: number): Promise<boolean> {
  const timer = setTimeout(() => tracker.giveUp(), timeoutSeconds * 1000);
  await tracker.finished;
  clearTimeout(timer);
  return tracker.allCompleted();
}

interface Phase {
  direction: Direction;
  tracker: DirectionTracker;
  /** What the phase's requests are, for the line announcing them. */
  announce: string;
  /** One account's request; returns its request hash. */
  request: (account: string) => Promise<string>;
  /** Balance of what this direction delivers, per account: where it arrives. */
  read: BalanceReader;
}

type PhaseRun = Phase & { balances: PhaseBalances; completed: boolean };

/**
 * One direction: balances before, one request per account (all at once), then waiting for them and the
 * balances after; says in one line whether every request arrived. Returns the phase for the final table.
 */
async function runPhase(phase: Phase, accounts: string[], timeoutSeconds: number, say: Print): Promise<PhaseRun> {
  const before = await readBalances(accounts, phase.read);
  say(phase.announce);
  await Promise.all(accounts.map(async (account, i) => phase.tracker.add(i + 1, account, await phase.request(account))));
  phase.tracker.sortByIndex();
  const completed = await waitForCompletion(phase.tracker, timeoutSeconds);
  const after = await readBalances(accounts, phase.read);
  const words = DIRECTION_WORDS[phase.direction];
  say(completed ? `all ${accounts.length} ${words.request}(s) ${words.arrived}.` : `not every ${words.request} was ${words.arrived} within ${timeoutSeconds} s`);
  return { ...phase, balances: { before, after }, completed };
}

/**
 * The final table of each direction that ran, read from the facilitator's database and the chains; the
 * verdict is the database's: undefined when every request of every direction is COMPLETED, else one line.
 */
async function report(store: FacilitationStore, phases: PhaseRun[], out: Print): Promise<string | undefined> {
  const problems: string[] = [];
  for (const phase of phases) {
    const outcomes = await readOutcomes(store, phase.direction, phase.tracker.rows, phase.balances);
    printOutcomeTable(phase.direction, outcomes, out);
    const problem = incompleteLine(phase.direction, outcomes);
    if (problem) problems.push(problem);
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** Stakes, then (once every stake completed, unless --redeem 0) redeems part back; the phases that ran. */
async function runBothWays(devnet: Devnet, store: FacilitationStore, options: DemoOptions, say: Print): Promise<PhaseRun[]> {
  const accounts = demoAccounts(devnet, options.requests);
  const { ost } = devnetContracts(devnet);
  const n = accounts.length;
  const stake: Phase = {
    direction: 'STAKE',
    tracker: new DirectionTracker('STAKE', n, say),
    announce: `demo staker: ${n} request(s) of ${formatTokenAmount(DEFAULT_STAKE.amount)} OST`,
    request: async (staker) => (await requestStakeOnDevnet(devnet, staker)).stakeRequestHash,
    read: (account) => devnet.auxiliary.client.getBalance(account),
  };
  const redeem: Phase = {
    direction: 'REDEEM',
    tracker: new DirectionTracker('REDEEM', n, say),
    announce: `demo redeemer: the same ${n} account(s) redeem ${formatTokenAmount(options.redeem)} OST′ each back to origin`,
    request: async (redeemer) => (await requestRedeemOnDevnet(devnet, redeemer, { amount: options.redeem })).redeemRequestHash,
    read: (account) => ost.balanceOf(account),
  };
  const subscription = store.changes$.subscribe((change) => {
    stake.tracker.onStoreChange(change);
    redeem.tracker.onStoreChange(change);
  });
  try {
    const staked = await runPhase(stake, accounts, options.timeout, say);
    if (!staked.completed || options.redeem === 0n) return [staked];
    const redeemed = await runPhase(redeem, accounts, options.timeout, say);
    return [staked, redeemed];
  } finally {
    subscription.unsubscribe();
  }
}

/**
 * The whole product on this machine: devnet, embedded indexers, the facilitator (its keys in
 * encrypted keystores, as in production), a demo staker and then a demo redeemer; progress as requests
 * move through the states, then a final table per direction (states from the database, balances from
 * the chains). Exit 0 once the database holds every request COMPLETED, both ways.
 */
async function runDemo(options: DemoOptions): Promise<void> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 }); // keystores, the database and logs: owner-only when made here
  const { out, say } = demoConsole();

  say('starting the devnet (two anvil chains, Mosaic 0.12 deployed)…');
  const devnet = await startDevnet({ originPort: 0, auxiliaryPort: 0, stakers: Math.max(options.requests, 1), dir: join(dir, 'devnet') });
  forgetPreviousDevnet(dir); // a new devnet: what an earlier run left describes chains that are gone
  say(`origin ${devnet.info.origin.rpcUrl} (chain ${devnet.info.origin.chainId}), auxiliary ${devnet.info.auxiliary.rpcUrl} (chain ${devnet.info.auxChainId})`);
  const { runtime, logPath } = await startDemoFacilitator(devnet, dir, options.logFormat, say);
  const store = runtime.facilitator.context.store;

  const phases = await runBothWays(devnet, store, options, say);
  const failure = (await report(store, phases, out)) ?? (phases.length < 2 && options.redeem > 0n ? 'the stakes did not all complete, so nothing was redeemed' : undefined);
  out('');
  if (!failure) say(`done: every request COMPLETED${phases.length === 2 ? ' both ways' : ''}.`);

  if (options.keepRunning && !failure) {
    out('still running (--keep-running): Ctrl-C to stop.');
    await waitForShutdownSignal();
  }
  await runtime.stop();
  await devnet.close();
  if (failure) throw new Error(`demo failed: ${failure}; the facilitator's log: ${logPath}`);
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('one-command demo: devnet + embedded indexers + facilitator + demo staker and redeemer; exits 0 once every request completed both ways')
    .option('--requests <n>', 'stake requests to make (one staker each), then as many redeems', parsePositiveInteger, 3)
    .addOption(bigintOption('--redeem <OST′>', 'OST′ each staker redeems back once its stake completed (0 = stake only)', (v) => parseTokenAmount(v), DEMO_REDEEM, formatTokenAmount(DEMO_REDEEM)))
    .option('--dir <path>', 'folder for the demo\'s files (configs, database, logs)', './.demo')
    .option('--timeout <seconds>', 'give up (exit 1) when a direction takes longer than this', parseNonNegativeInteger, 300)
    .option('--keep-running', 'keep everything running after the final table, until Ctrl-C', false)
    .addOption(logFormatOption('written to facilitator.log in --dir, json by default').default('json'))
    .addHelpText(
      'after',
      `
Examples:
  $ facilitator demo                          # 3 × stake 100 OST, then redeem 40 OST′ of each back
  $ facilitator demo --requests 10 --keep-running
  $ facilitator demo --redeem 0               # stake & mint only`,
    )
    .action(async (options: DemoOptions) => runDemo(options));
}
