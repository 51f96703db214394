import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/open-database';
import { requestRedeem, type RequestedRedeem } from '../../src/devnet/demo-redeemer';
import type { Devnet } from '../../src/devnet/devnet';
import { devnetContracts } from '../../src/devnet/devnet-contracts';
import { requestStakeOnDevnet } from '../../src/devnet/devnet-stake';
import { contractInterface } from '../../src/mosaic/contracts';
import { packageRoot } from '../../src/util/package-root';
import { scanTransactions, type ScannedTransaction } from '../helpers/chain-scan';
import { runCli } from '../helpers/cli';
import { openTestDatabase } from '../helpers/database';
import { addressesWithRole, startDevnetIndexer, startTestDevnet } from '../helpers/devnet';
import { prepareFacilitatorHome, startFacilitatorProcess, type FacilitatorHome, type RunningFacilitator } from '../helpers/facilitator-process';

const OST = 10n ** 18n;
/** Small enough that one stake of 100 OST leaves OSTPrime to wrap for every redeem of a test. */
const REDEEM_AMOUNT = 5n * OST;

interface ChainEvent {
  name: string;
  messageHash: string;
  transactionHash: string;
  args: Record<string, unknown>;
}

/** Every event of `contract` at `address` so far (read from chain logs only). */
async function eventsOf(client: Devnet['origin']['client'], contract: 'EIP20Gateway' | 'EIP20CoGateway', address: string): Promise<ChainEvent[]> {
  const logs = await client.getLogs({ fromBlock: 0n, toBlock: await client.blockNumber(), address });
  return contractInterface(contract)
    .decodeLogs(logs, address)
    .map((e) => ({ name: e.name, messageHash: String(e.args._messageHash ?? '').toLowerCase(), transactionHash: e.transactionHash.toLowerCase(), args: e.args }));
}

/** The redeem-side events of both chains: declared and progressed on the cogateway, confirmed and unstaked on the gateway. */
async function redeemEvents(devnet: Devnet): Promise<ChainEvent[]> {
  const { gateway, coGateway } = devnetContracts(devnet);
  const aux = await eventsOf(devnet.auxiliary.client, 'EIP20CoGateway', coGateway.address);
  const origin = await eventsOf(devnet.origin.client, 'EIP20Gateway', gateway.address);
  const names = ['RedeemIntentDeclared', 'RedeemProgressed', 'RedeemIntentConfirmed', 'UnstakeProgressed'];
  return [...aux, ...origin].filter((e) => names.includes(e.name));
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, onTimeout: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${onTimeout()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function mintCount(devnet: Devnet): Promise<number> {
  const { coGateway } = devnetContracts(devnet);
  return (await eventsOf(devnet.auxiliary.client, 'EIP20CoGateway', coGateway.address)).filter((e) => e.name === 'MintProgressed').length;
}

/** Stakes (the facilitators running mint them) so that the auxiliary chain holds OSTPrime to wrap for redeems. */
async function stakeAndMint(devnet: Devnet, staker: string, timeoutMs: number): Promise<void> {
  const before = await mintCount(devnet);
  await requestStakeOnDevnet(devnet, staker);
  await until('the stake minted', timeoutMs, async () => ((await mintCount(devnet)) > before ? true : undefined));
}

function redeemWith(devnet: Devnet, redeemer: string): Promise<RequestedRedeem> {
  const { pair, redeemPool, coGateway } = devnetContracts(devnet);
  return requestRedeem({
    client: devnet.auxiliary.client,
    ostPrime: pair.auxiliary.ostPrimeAddress,
    redeemPool: redeemPool.address,
    coGateway: coGateway.address,
    redeemer: devnet.auxiliarySender(redeemer),
    amount: REDEEM_AMOUNT,
  });
}

/** Once `count` redeem messages are progressed on both chains: their message hashes. */
async function waitForRedeemsDone(devnet: Devnet, count: number, timeoutMs: number, onTimeout?: () => string): Promise<string[]> {
  return until(
    `${count} redeems progressed on both chains`,
    timeoutMs,
    async () => {
      const events = await redeemEvents(devnet);
      const unstaked = new Set(events.filter((e) => e.name === 'UnstakeProgressed').map((e) => e.messageHash));
      const redeemed = events.filter((e) => e.name === 'RedeemProgressed' && unstaked.has(e.messageHash)).map((e) => e.messageHash);
      return redeemed.length >= count ? redeemed : undefined;
    },
    onTimeout,
  );
}

/** Every transaction the devnet workers sent to the Mosaic contracts of both chains. */
async function workerTransactions(devnet: Devnet): Promise<ScannedTransaction[]> {
  const { pair } = devnetContracts(devnet);
  const workers = new Set(addressesWithRole(devnet, 'worker'));
  const origin = await scanTransactions(devnet.origin.client, {
    [pair.origin.ostComposerAddress]: 'OSTComposer',
    [pair.origin.ostEIP20GatewayAddress]: 'EIP20Gateway',
    [devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress]: 'EIP20Token',
  });
  const auxiliary = await scanTransactions(devnet.auxiliary.client, {
    [pair.auxiliary.ostEIP20CogatewayAddress]: 'EIP20CoGateway',
    [pair.auxiliary.redeemPoolAddress]: 'RedeemPool',
  });
  return [...origin, ...auxiliary].filter((tx) => workers.has(tx.from));
}

const REDEEM_STEP_EVENTS: Record<string, string> = {
  acceptRedeemRequest: 'RedeemIntentDeclared',
  confirmRedeemIntent: 'RedeemIntentConfirmed',
  progressRedeem: 'RedeemProgressed',
  progressUnstake: 'UnstakeProgressed',
};

/**
 * Per redeem message, how many successful worker transactions of each step produced its event: each step
 * exactly once means one entry of 1 per step.
 */
function stepsByMessage(transactions: ScannedTransaction[], events: ChainEvent[]): Map<string, Record<string, number>> {
  const result = new Map<string, Record<string, number>>();
  for (const tx of transactions.filter((t) => t.success && t.method && t.method in REDEEM_STEP_EVENTS)) {
    const method = tx.method!;
    const event = events.find((e) => e.transactionHash === tx.hash.toLowerCase() && e.name === REDEEM_STEP_EVENTS[method]);
    const key = event?.messageHash ?? `no ${REDEEM_STEP_EVENTS[method]} in ${tx.hash}`;
    const entry = result.get(key) ?? {};
    entry[method] = (entry[method] ?? 0) + 1;
    result.set(key, entry);
  }
  return result;
}

const ONCE_EACH = { acceptRedeemRequest: 1, confirmRedeemIntent: 1, progressRedeem: 1, progressUnstake: 1 };

/**
 * Calls sent twice (same call, same arguments), whether or not they reverted. `bySender`: only the same
 * sender twice counts (two competing facilitators may each prove the cogateway at the same height).
 */
function duplicatesOf(transactions: ScannedTransaction[], options: { bySender?: boolean } = {}): string[] {
  const seen = new Map<string, number>();
  for (const tx of transactions) {
    if (!tx.method || tx.method === 'approve') continue;
    const key = `${options.bySender ? tx.from : ''} ${tx.method} ${tx.to}:${tx.input}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.entries()].filter(([, count]) => count > 1).map(([key, count]) => `${count}× ${key.slice(0, 80)}`);
}

interface DirectionRow {
  direction: string;
  state: string;
  message_hash?: string;
}

/** The REDEEM messages and requests of one facilitator's database (opened read-only beside the running process). */
async function redeemRecords(home: FacilitatorHome): Promise<{ messages: DirectionRow[]; requests: DirectionRow[] }> {
  const knex = await openDatabase(home.databasePath, { readOnly: true });
  try {
    const messages = (await knex('messages').where({ direction: 'REDEEM' }).select('direction', 'state', 'message_hash')) as DirectionRow[];
    const requests = (await knex('stake_requests').where({ direction: 'REDEEM' }).select('direction', 'state', 'message_hash')) as DirectionRow[];
    return { messages, requests };
  } finally {
    await knex.destroy();
  }
}

/** Waits until every REDEEM message of the database is COMPLETED; returns the records. */
async function waitForRedeemsCompleted(home: FacilitatorHome, timeoutMs: number): Promise<{ messages: DirectionRow[]; requests: DirectionRow[] }> {
  let last: { messages: DirectionRow[]; requests: DirectionRow[] } = { messages: [], requests: [] };
  return until(
    'every REDEEM message COMPLETED in the database',
    timeoutMs,
    async () => {
      last = await redeemRecords(home);
      return last.messages.length > 0 && last.messages.every((m) => m.state === 'COMPLETED') ? last : undefined;
    },
    () => JSON.stringify(last),
  );
}

function saveLogsOnFailure(test: Mocha.Test | undefined, processes: RunningFacilitator[]): void {
  if (test?.state !== 'failed' || processes.length === 0) return;
  mkdirSync(join(packageRoot(), '.tmp'), { recursive: true });
  processes.forEach((p, i) => writeFileSync(join(packageRoot(), '.tmp', `e2e-redeem-failure-${i}.log`), p.logs()));
  process.stderr.write(`facilitator logs: .tmp/e2e-redeem-failure-*.log\n`);
}

describe('e2e: redeem & unstake by real facilitator processes (crashes, competition, polling transport)', function () {
  this.timeout(180_000);
  let devnet: Devnet;
  let homes: FacilitatorHome[] = [];
  /** Every process started by the test, killed ones included (their logs are kept on failure). */
  let started: RunningFacilitator[] = [];

  beforeEach(async () => {
    devnet = await startTestDevnet({ stakers: 6, anchorIntervalMs: 500 });
  });
  afterEach(async function () {
    saveLogsOnFailure(this.currentTest, started);
    for (const facilitator of started) await facilitator.stop('SIGKILL');
    for (const home of homes) home.remove();
    started = [];
    homes = [];
    await devnet.close();
  });

  async function start(home: FacilitatorHome): Promise<RunningFacilitator> {
    const running = await startFacilitatorProcess(home);
    started.push(running);
    return running;
  }

  it('killed with SIGKILL after each redeem step in turn and restarted, finishes every redeem and sends no step twice', async () => {
    const home = await prepareFacilitatorHome(devnet);
    homes.push(home);
    const [staker, ...redeemers] = addressesWithRole(devnet, 'staker');
    let running = await start(home);
    await stakeAndMint(devnet, staker, 60_000);

    // A new redeem per round; the round's process dies right after sending the round's step (of whichever message).
    const steps = ['acceptRedeemRequest', 'proveCoGateway', 'confirmRedeemIntent', 'progressRedeem', 'progressUnstake'];
    for (const [index, step] of steps.entries()) {
      if (index > 0) running = await start(home);
      await redeemWith(devnet, redeemers[index]);
      const sent = new RegExp(`"purpose":"${step}"[^\\n]*"msg":"transaction sent"`);
      const deadline = Date.now() + 60_000;
      while (!sent.test(running.logs()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(sent.test(running.logs()), `${step} was sent`).to.equal(true);
      expect(await running.stop('SIGKILL'), `${step}: killed`).to.equal(null);
    }

    running = await start(home);
    const done = await waitForRedeemsDone(devnet, steps.length, 120_000, () =>
      running
        .logs()
        .split('\n')
        .filter((line) => /"level":(40|50)|state [A-Z]+"|queued|sent"/.test(line))
        .slice(-60)
        .join('\n'),
    );
    expect(done).to.have.length(steps.length);
    const transactions = await workerTransactions(devnet);
    expect(transactions.filter((tx) => !tx.success).map((tx) => `${tx.method} ${tx.hash}`), 'reverted worker transactions').to.deep.equal([]);
    expect(duplicatesOf(transactions), 'transactions sent twice').to.deep.equal([]);
    const sentSteps = stepsByMessage(transactions, await redeemEvents(devnet));
    expect([...sentSteps.keys()].sort()).to.deep.equal([...done].sort());
    for (const messageHash of done) expect(sentSteps.get(messageHash), messageHash).to.deep.equal(ONCE_EACH);
    expect(transactions.filter((tx) => tx.method === 'proveGateway' && tx.to === devnetContracts(devnet).gateway.address.toLowerCase()).length).to.be.greaterThan(0);

    const records = await waitForRedeemsCompleted(home, 30_000);
    expect(records.messages.map((m) => m.message_hash).sort()).to.deep.equal([...done].sort());
    expect(records.requests.map((r) => r.state)).to.deep.equal(steps.map(() => 'ACCEPTED'));
    expect(await running.stop(), 'exit code after SIGTERM').to.equal(0);
  });

  it('two facilitators with different workers compete for the same redeems: each accepted once, only a losing accept reverts, all settled', async () => {
    const workers = addressesWithRole(devnet, 'worker');
    expect(workers).to.have.length(2);
    for (const worker of workers) {
      const home = await prepareFacilitatorHome(devnet);
      const config = JSON.parse(readFileSync(home.configPath, 'utf8')) as { chains: Record<string, { workers: string[] }> };
      for (const chain of Object.values(config.chains)) chain.workers = [worker];
      writeFileSync(home.configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
      homes.push(home);
    }
    const running = [await start(homes[0]), await start(homes[1])];
    const [staker, ...redeemers] = addressesWithRole(devnet, 'staker');
    await stakeAndMint(devnet, staker, 60_000);

    const redeems = await Promise.all(redeemers.slice(0, 4).map((redeemer) => redeemWith(devnet, redeemer)));
    const done = await waitForRedeemsDone(devnet, redeems.length, 150_000, () => running.map((r) => r.logs().slice(-3000)).join('\n----\n'));
    const events = await redeemEvents(devnet);
    const declared = events.filter((e) => e.name === 'RedeemIntentDeclared');
    expect(declared.map((e) => String(e.args._redeemer).toLowerCase()).sort(), 'one declaration per request').to.deep.equal(redeems.map((r) => r.redeemerProxy).sort());

    const transactions = await workerTransactions(devnet);
    const steps = stepsByMessage(transactions, events);
    for (const messageHash of done) expect(steps.get(messageHash), messageHash).to.deep.equal(ONCE_EACH);
    // Both may send an accept of the same request in the same block: the loser's reverts, once at most.
    const reverted = transactions.filter((tx) => !tx.success);
    expect(
      reverted.filter((tx) => tx.method !== 'acceptRedeemRequest' && tx.method !== 'acceptStakeRequest').map((tx) => `${tx.method} ${tx.hash}`),
      'reverted transactions other than accepts',
    ).to.deep.equal([]);
    const losingAccepts = new Map<string, number>();
    for (const tx of reverted.filter((t) => t.method === 'acceptRedeemRequest')) {
      const { args } = contractInterface('RedeemPool').decodeCall(tx.input);
      const request = `${String(args[5]).toLowerCase()}#${String(args[4])}`;
      losingAccepts.set(request, (losingAccepts.get(request) ?? 0) + 1);
    }
    expect([...losingAccepts.entries()].filter(([, count]) => count > 1), 'a request with more than one losing accept').to.deep.equal([]);
    expect(duplicatesOf(transactions, { bySender: true }), 'transactions sent twice by one facilitator').to.deep.equal([]);

    // Each message COMPLETED in the database of the facilitator whose worker won it; nothing open in either.
    const winners = new Map(declared.map((e) => [e.messageHash, transactions.find((tx) => tx.hash.toLowerCase() === e.transactionHash)?.from]));
    await expectSettled(homes, running);
    for (const [index, home] of homes.entries()) {
      const { messages } = await redeemRecords(home);
      const won = [...winners.entries()].filter(([, worker]) => worker === workers[index]).map(([messageHash]) => messageHash);
      const completed = messages.filter((m) => m.state === 'COMPLETED').map((m) => m.message_hash);
      expect(completed.sort(), `messages COMPLETED by facilitator ${index + 1}`).to.deep.equal(won.sort());
    }
  });

  it('a redeem completes over the polling transport against a separately running indexer (graph-node stand-in)', async () => {
    const indexerDb = await openTestDatabase();
    const indexer = await startDevnetIndexer(devnet, indexerDb.knex, 100);
    try {
      const home = await prepareFacilitatorHome(devnet, {
        transport: {
          mode: 'polling',
          origin: indexer.server.url(indexer.subgraphName('origin')),
          auxiliary: indexer.server.url(indexer.subgraphName('auxiliary')),
        },
      });
      homes.push(home);
      const running = await start(home);
      expect(running.logs()).to.not.contain('embedded indexer serving');
      const [staker, redeemer] = addressesWithRole(devnet, 'staker');
      await stakeAndMint(devnet, staker, 60_000);
      const redeem = await redeemWith(devnet, redeemer);
      const [messageHash] = await waitForRedeemsDone(devnet, 1, 60_000, () => running.logs().slice(-4000));
      const unstake = (await redeemEvents(devnet)).find((e) => e.name === 'UnstakeProgressed' && e.messageHash === messageHash)!;
      expect(String(unstake.args._beneficiary).toLowerCase()).to.equal(redeem.beneficiary);
      expect(unstake.args._redeemAmount).to.equal(REDEEM_AMOUNT);
      const records = await waitForRedeemsCompleted(home, 30_000);
      expect(records.messages.map((m) => m.message_hash)).to.deep.equal([messageHash]);
      expect(records.requests.map((r) => r.state)).to.deep.equal(['ACCEPTED']);
      expect(await running.stop(), 'exit code after SIGTERM').to.equal(0);
    } finally {
      await indexer.stop();
      await indexerDb.close();
    }
  });
});

/** Every message of every facilitator ends final (COMPLETED or ABANDONED), as `facilitator status` reports it. */
async function expectSettled(homes: FacilitatorHome[], running: RunningFacilitator[]): Promise<void> {
  for (const [index, home] of homes.entries()) {
    let open: Array<{ state: string; count: number }> = [];
    const settleBy = Date.now() + 60_000;
    do {
      const result = await runCli(['status', '--facilitator-config', home.configPath, '--json'], { env: home.env, timeoutMs: 30_000 });
      expect(result.code, result.stderr).to.equal(0);
      const counts = (JSON.parse(result.stdout) as { messageCounts: Array<{ state: string; count: number }> }).messageCounts;
      open = counts.filter((c) => !['COMPLETED', 'ABANDONED'].includes(c.state));
      if (open.length > 0) await new Promise((r) => setTimeout(r, 500));
    } while (open.length > 0 && Date.now() < settleBy);
    expect(open, `open messages of facilitator ${index + 1}\n${running[index].logs().slice(-5000)}`).to.deep.equal([]);
  }
}
