import { expect } from 'chai';
import type { Devnet } from '../../src/devnet/devnet';
import { devnetContracts } from '../../src/devnet/devnet-contracts';
import { requestStakeOnDevnet } from '../../src/devnet/devnet-stake';
import { contractInterface } from '../../src/mosaic/contracts';
import { scanTransactions, type ScannedTransaction } from '../helpers/chain-scan';
import { runCli } from '../helpers/cli';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';
import { prepareFacilitatorHome, startFacilitatorProcess, type FacilitatorHome, type RunningFacilitator } from '../helpers/facilitator-process';
import { openPostgresDatabase } from '../../src/db/open-database';
import { testPostgres } from '../helpers/postgres';

const LEASE_MS = 4_000;

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** MintProgressed events so far, by message hash (chain logs only). */
async function mints(devnet: Devnet): Promise<string[]> {
  const { coGateway } = devnetContracts(devnet);
  const iface = contractInterface('EIP20CoGateway');
  const logs = await devnet.auxiliary.client.getLogs({ fromBlock: 0n, toBlock: await devnet.auxiliary.client.blockNumber(), address: coGateway.address, topics: [iface.eventTopic('MintProgressed')] });
  return iface.decodeLogs(logs).map((e) => String(e.args._messageHash).toLowerCase());
}

/** Every transaction the shared workers sent to the Mosaic contracts and the token, on both chains. */
async function workerTransactions(devnet: Devnet): Promise<ScannedTransaction[]> {
  const { pair } = devnetContracts(devnet);
  const workers = new Set(addressesWithRole(devnet, 'worker'));
  const origin = await scanTransactions(devnet.origin.client, {
    [pair.origin.ostComposerAddress]: 'OSTComposer',
    [pair.origin.ostEIP20GatewayAddress]: 'EIP20Gateway',
    [devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress]: 'EIP20Token',
  });
  const auxiliary = await scanTransactions(devnet.auxiliary.client, { [pair.auxiliary.ostEIP20CogatewayAddress]: 'EIP20CoGateway' });
  return [...origin, ...auxiliary].filter((tx) => workers.has(tx.from));
}

/** Nothing reverted, and no step (same call, same arguments) sent twice — by either instance. */
function expectEachStepOnce(transactions: ScannedTransaction[]): void {
  expect(transactions.filter((tx) => !tx.success).map((tx) => `${tx.method} ${tx.hash}`), 'failed transactions').to.deep.equal([]);
  const seen = new Map<string, number>();
  for (const tx of transactions) {
    if (!tx.method || tx.method === 'approve') continue;
    seen.set(`${tx.to}:${tx.input}`, (seen.get(`${tx.to}:${tx.input}`) ?? 0) + 1);
  }
  expect([...seen].filter(([, count]) => count > 1), 'steps sent twice').to.deep.equal([]);
}

/** The role a running instance's status API reports (its URL is in its 'status API listening' log line). */
async function roleOf(instance: RunningFacilitator): Promise<string> {
  const line = instance
    .logs()
    .split('\n')
    .find((l) => l.includes('"status API listening"'));
  const url = (JSON.parse(line!) as { url: string }).url;
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ role }' }) });
  return ((await response.json()) as { data: { role: string } }).data.role;
}

describe('e2e: active/standby on one PostgreSQL database (same workers), judged from chain state', function () {
  this.timeout(300_000);
  let devnet: Devnet;
  let homes: FacilitatorHome[] = [];
  let instances: RunningFacilitator[] = [];

  before(async () => {
    devnet = await startTestDevnet({ stakers: 22, blockTimeMs: 100, anchorIntervalMs: 300 });
  });
  afterEach(async () => {
    for (const instance of instances) {
      if (instance.child.signalCode === null && instance.child.exitCode === null) instance.child.kill('SIGCONT');
      await instance.stop('SIGKILL');
    }
    for (const home of homes) home.remove();
    instances = [];
    homes = [];
  });
  after(async () => devnet?.close());

  let database: Awaited<ReturnType<Awaited<ReturnType<typeof testPostgres>>['createDatabase']>>;
  async function pair(): Promise<[FacilitatorHome, FacilitatorHome]> {
    database = await (await testPostgres()).createDatabase();
    const configure = (config: Record<string, unknown>) => (config.ha = { leaseMs: LEASE_MS });
    homes = [await prepareFacilitatorHome(devnet, { database, configure }), await prepareFacilitatorHome(devnet, { database, configure })];
    return [homes[0], homes[1]];
  }

  it('the active SIGKILLed mid-way: the standby takes over within the lease and every request is minted once, nothing failed', async () => {
    const [homeA, homeB] = await pair();
    const active = await startFacilitatorProcess(homeA);
    const standby = await startFacilitatorProcess(homeB, [], { until: 'standing by' });
    instances = [active, standby];
    expect(await roleOf(active)).to.equal('ACTIVE');
    expect(await roleOf(standby)).to.equal('STANDBY');
    const listed = await runCli(['list', '--json'], { env: homeB.env, timeoutMs: 30_000 });
    const roles = listed.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { role?: string }).role ?? 'active');
    expect(roles, 'list shows the standby (from its own run file)').to.deep.equal(['standby']);
    const status = await runCli(['status', '--aux-chain-id', String(devnet.info.auxChainId), '--json'], { env: homeA.env, timeoutMs: 30_000 });
    expect((JSON.parse(status.stdout) as { role: string }).role, 'status of the active').to.equal('ACTIVE');

    const before = (await mints(devnet)).length;
    const stakers = addressesWithRole(devnet, 'staker').slice(0, 20);
    await Promise.all(stakers.map((staker) => requestStakeOnDevnet(devnet, staker)));
    await until('a few mints before the kill', 120_000, async () => ((await mints(devnet)).length >= before + 3 ? true : undefined));
    await active.stop('SIGKILL');
    const killedAt = Date.now();

    await until('the standby active', 30_000, async () => (/active: this facilitator holds the lease/.test(standby.logs()) ? true : undefined));
    expect(Date.now() - killedAt, 'takeover within the lease (plus a poll)').to.be.below(LEASE_MS + 3_000);
    expect(await roleOf(standby)).to.equal('ACTIVE');
    const minted = await until('every request minted', 120_000, async () => {
      const all = await mints(devnet);
      return all.length >= before + stakers.length ? all : undefined;
    }).catch(async (error: Error) => {
      const lines = standby.logs().split('\n').filter((l) => /"level":(40|50)|standing by|holds the lease|facilitator started|stream (stopped|failed)/.test(l));
      const knex = await openPostgresDatabase(database, { readOnly: true });
      const rows = {
        requests: await knex('stake_requests').select('state').count({ n: '*' }).groupBy('state'),
        messages: await knex('messages').select('state').count({ n: '*' }).groupBy('state'),
        open: await knex('transactions').whereIn('status', ['queued', 'sent']).select('purpose', 'subject', 'status', 'last_error'),
        cursors: await knex('stream_cursors').select('stream', 'through_block'),
        locks: await knex('process_locks'),
      };
      await knex.destroy();
      throw new Error(`${error.message}\n${JSON.stringify(rows)}\n${lines.slice(-40).join('\n')}`);
    });
    expect(new Set(minted).size, 'each message minted once').to.equal(minted.length);
    expectEachStepOnce(await workerTransactions(devnet));
  });

  it('a paused active (SIGSTOP past the lease, then SIGCONT) is deposed: it sends nothing after the takeover and exits non-zero with one line', async () => {
    const [homeA, homeB] = await pair();
    const active = await startFacilitatorProcess(homeA);
    const standby = await startFacilitatorProcess(homeB, [], { until: 'standing by' });
    instances = [active, standby];
    const before = (await mints(devnet)).length;
    const stakers = addressesWithRole(devnet, 'staker').slice(20, 22);
    await requestStakeOnDevnet(devnet, stakers[0]);
    await until('the first stake minted', 120_000, async () => ((await mints(devnet)).length >= before + 1 ? true : undefined));

    active.child.kill('SIGSTOP');
    await until('the standby active', 30_000, async () => (/active: this facilitator holds the lease/.test(standby.logs()) ? true : undefined));
    await requestStakeOnDevnet(devnet, stakers[1]);
    await until('the second stake minted by the new active', 120_000, async () => ((await mints(devnet)).length >= before + 2 ? true : undefined));

    const logsBeforeResume = active.logs().length;
    active.child.kill('SIGCONT');
    const code = await active.stop('SIGCONT'); // waits for its own exit (SIGCONT again changes nothing)
    const after = active.logs().slice(logsBeforeResume);
    expect(code, 'the deposed instance exits non-zero').to.not.equal(0);
    expect(after, 'nothing sent after the takeover').to.not.match(/"transaction sent"/);
    expect(after).to.match(/lost its lease to pid \d+/);
    expectEachStepOnce(await workerTransactions(devnet));
    expect(await roleOf(standby)).to.equal('ACTIVE');
  });
});
