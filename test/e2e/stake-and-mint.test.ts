import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root';
import { requestStake, type RequestedStake } from '../../src/devnet/demo-staker';
import type { Devnet } from '../../src/devnet/devnet';
import { requestStakeOnDevnet } from '../../src/devnet/devnet-stake';
import { contractInterface, Eip20CoGateway, Eip20Gateway } from '../../src/mosaic/contracts';
import { MessageStatus } from '../../src/mosaic/message-status';
import { linkedBytecode } from '../../src/mosaic/artifacts';
import { scanTransactions } from '../helpers/chain-scan';
import { runCli } from '../helpers/cli';
import { openTestDatabase } from '../helpers/database';
import { openDatabase } from '../../src/db/open-database';
import { addressesWithRole, startDevnetIndexer, startTestDevnet } from '../helpers/devnet';
import { prepareFacilitatorHome, startFacilitatorProcess, type FacilitatorHome, type RunningFacilitator } from '../helpers/facilitator-process';

/** Every MintProgressed of the cogateway so far, by message hash (read from chain logs only). */
async function mintedMessages(devnet: Devnet): Promise<Map<string, { beneficiary: string; minted: bigint; reward: bigint }>> {
  const pair = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
  const iface = contractInterface('EIP20CoGateway');
  const logs = await devnet.auxiliary.client.getLogs({
    fromBlock: 0n,
    toBlock: await devnet.auxiliary.client.blockNumber(),
    address: pair.auxiliary.ostEIP20CogatewayAddress,
    topics: [iface.eventTopic('MintProgressed')],
  });
  const result = new Map<string, { beneficiary: string; minted: bigint; reward: bigint }>();
  for (const event of iface.decodeLogs(logs)) {
    result.set(String(event.args._messageHash).toLowerCase(), {
      beneficiary: String(event.args._beneficiary).toLowerCase(),
      minted: event.args._mintedAmount as bigint,
      reward: event.args._rewardAmount as bigint,
    });
  }
  return result;
}

async function waitForMints(devnet: Devnet, count: number, timeoutMs: number): Promise<Map<string, { beneficiary: string; minted: bigint; reward: bigint }>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const minted = await mintedMessages(devnet);
    if (minted.size >= count) return minted;
    if (Date.now() > deadline) throw new Error(`only ${minted.size} of ${count} stakes minted within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const stakeFor = (devnet: Devnet, staker: string, beneficiary: string): Promise<RequestedStake> => requestStakeOnDevnet(devnet, staker, beneficiary);

describe('e2e: facilitator start against the devnet with embedded indexers', function () {
  this.timeout(300_000);
  let devnet: Devnet;
  let home: FacilitatorHome;
  let facilitator: RunningFacilitator | undefined;

  beforeEach(async () => {
    devnet = await startTestDevnet({ stakers: 22, anchorIntervalMs: 500 });
  });
  afterEach(async function () {
    if (facilitator) {
      const code = await facilitator.stop();
      if (this.currentTest?.state === 'failed') {
        mkdirSync(join(packageRoot(), '.tmp'), { recursive: true });
        writeFileSync(join(packageRoot(), '.tmp', 'e2e-failure.log'), facilitator.logs());
        process.stderr.write(`facilitator logs: .tmp/e2e-failure.log\n`);
      }
      expect(code, 'exit code after SIGTERM').to.equal(0);
    }
    facilitator = undefined;
    home?.remove();
    await devnet.close();
  });

  const pair = () => devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;

  it('(a) one request ends minted with the right balances', async () => {
    home = await prepareFacilitatorHome(devnet);
    facilitator = await startFacilitatorProcess(home);
    const beneficiary = '0x00000000000000000000000000000000000e2e01';
    const before = await devnet.auxiliary.client.getBalance(beneficiary);
    const stake = await stakeFor(devnet, addressesWithRole(devnet, 'staker')[0], beneficiary);
    const minted = await waitForMints(devnet, 1, 60_000);
    const [messageHash, mint] = [...minted.entries()][0];
    expect(mint.beneficiary).to.equal(beneficiary);
    expect(mint.minted + mint.reward).to.equal(stake.amount);
    expect((await devnet.auxiliary.client.getBalance(beneficiary)) - before).to.equal(stake.amount - mint.reward);
    const gateway = new Eip20Gateway(devnet.origin.client, pair().origin.ostEIP20GatewayAddress);
    const coGateway = new Eip20CoGateway(devnet.auxiliary.client, pair().auxiliary.ostEIP20CogatewayAddress);
    expect(await coGateway.inboxStatus(messageHash)).to.equal(MessageStatus.Progressed);
    // progressStake may land just after progressMint.
    const deadline = Date.now() + 20_000;
    while ((await gateway.outboxStatus(messageHash)) !== MessageStatus.Progressed && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await gateway.outboxStatus(messageHash)).to.equal(MessageStatus.Progressed);
    expect(facilitator.logs()).to.not.contain('unlockSecret":"0x');

    // The status API of the running instance, over its real socket.
    const statusUrl = /status API: (\S+)/.exec(facilitator.stdout())![1];
    const query = async (q: string) =>
      (await (await fetch(statusUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q }) })).json()) as {
        data?: Record<string, unknown>;
        errors?: unknown[];
      };
    const waitCompleted = Date.now() + 20_000;
    let status = await query(`{ message(messageHash: "${messageHash}") { state unlockSecret hashLock sourceStatus targetStatus transactions { purpose status } } messageCounts { state count } workers { chainId address balance } streams { name cursor lag } }`);
    while ((status.data?.message as { state: string } | null)?.state !== 'COMPLETED' && Date.now() < waitCompleted) {
      await new Promise((r) => setTimeout(r, 200));
      status = await query(`{ message(messageHash: "${messageHash}") { state unlockSecret hashLock sourceStatus targetStatus transactions { purpose status } } messageCounts { state count } workers { chainId address balance } streams { name cursor lag } }`);
    }
    expect(status.errors).to.equal(undefined);
    const message = status.data!.message as { state: string; unlockSecret: string | null; targetStatus: string; transactions: Array<{ purpose: string; status: string }> };
    expect(message.state).to.equal('COMPLETED');
    expect(message.targetStatus).to.equal('Progressed');
    expect(message.unlockSecret, 'public once progressed').to.match(/^0x[0-9a-f]{64}$/);
    // No secret in any log line: neither the unlock secret nor a worker's private key, in any spelling.
    const logs = facilitator.logs().toLowerCase();
    expect(logs).to.not.contain(message.unlockSecret!.slice(2));
    for (const worker of devnet.info.accounts.filter((a) => a.role === 'worker')) expect(logs).to.not.contain(worker.privateKey.slice(2).toLowerCase());
    expect(message.transactions.map((t) => t.purpose)).to.include.members(['acceptStakeRequest', 'confirmStakeIntent', 'progressStake', 'progressMint']);
    expect(status.data!.messageCounts).to.deep.include({ state: 'COMPLETED', count: 1 });
    expect((status.data!.workers as unknown[]).length).to.equal(4);
    expect((status.data!.streams as Array<{ name: string }>).map((s) => s.name)).to.include('origin.StakeRequested');
    const metrics = await (await fetch(statusUrl.replace(/\/graphql$/, '/metrics'))).text();
    expect(metrics).to.match(/facilitator_messages\{direction="STAKE",state="COMPLETED",aux_chain_id="\d+"\} 1/);
    expect(metrics).to.match(/facilitator_transactions_sent_total\{chain_id="1337"\} [1-9]/);
    expect(metrics).to.match(/facilitator_transactions_waiting_for_fee_cap\{chain_id="1405"\} 0/);
    const chains = await query('{ chains { chainId txType replaced feeCapWait { neededPerGas } } }');
    expect(chains.data?.chains).to.deep.equal([
      { chainId: 1337, txType: 'eip1559', replaced: 0, feeCapWait: null },
      { chainId: 1405, txType: 'eip1559', replaced: 0, feeCapWait: null },
    ]);
    expect((await fetch(statusUrl.replace(/\/graphql$/, '/health'))).status).to.equal(200);
    const graphiql = await fetch(statusUrl, { headers: { accept: 'text/html' } });
    expect(await graphiql.text()).to.contain('GraphiQL');

    // A second instance with the same worker keys is refused, and changes nothing.
    const second = await runCli(['start', '--facilitator-config', home.configPath], { env: home.env, timeoutMs: 60_000 });
    expect(second.code).to.not.equal(0);
    expect(second.stderr).to.match(/another facilitator \(pid \d+ on .+\) is running with these worker keys/);

    // list, status (live), stop, status (from the database), stop again (nothing running).
    const list = await runCli(['list'], { env: home.env, timeoutMs: 30_000 });
    expect(list.stdout).to.match(new RegExp(`1405\\s+${facilitator.child.pid}\\s+running`));
    const live = await runCli(['status', '--json'], { env: home.env, timeoutMs: 30_000 });
    expect(live.code, live.stderr).to.equal(0);
    const liveStatus = JSON.parse(live.stdout) as { running: boolean; messageCounts: Array<{ state: string; count: number }>; streams: unknown[] };
    expect(liveStatus.running).to.equal(true);
    expect(liveStatus.messageCounts).to.deep.include({ state: 'COMPLETED', count: 1 });
    const stopped = await runCli(['stop'], { env: home.env, timeoutMs: 60_000 });
    expect(stopped.code, stopped.stderr).to.equal(0);
    expect(await facilitator.stop()).to.equal(0);
    const offline = await runCli(['status', '--facilitator-config', home.configPath], { env: home.env, timeoutMs: 30_000 });
    expect(offline.code, offline.stderr).to.equal(0);
    expect(offline.stdout).to.match(/not running/);
    expect(offline.stdout).to.match(/COMPLETED\s+1/);
    const again = await runCli(['stop'], { env: home.env, timeoutMs: 30_000 });
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/no facilitator is running/);
  });

  async function facilitatorTransactions() {
    const workers = new Set(addressesWithRole(devnet, 'worker'));
    const origin = await scanTransactions(devnet.origin.client, {
      [pair().origin.ostComposerAddress]: 'OSTComposer',
      [pair().origin.ostEIP20GatewayAddress]: 'EIP20Gateway',
      [devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress]: 'EIP20Token',
    });
    const auxiliary = await scanTransactions(devnet.auxiliary.client, {
      [pair().auxiliary.ostEIP20CogatewayAddress]: 'EIP20CoGateway',
    });
    return [...origin, ...auxiliary].filter((tx) => workers.has(tx.from));
  }

  /** No step of any message was sent twice, and nothing the facilitator sent reverted. */
  function expectNoDuplicates(transactions: Awaited<ReturnType<typeof facilitatorTransactions>>): void {
    const failed = transactions.filter((tx) => !tx.success);
    expect(failed.map((tx) => `${tx.method} ${tx.hash}`), 'reverted facilitator transactions').to.deep.equal([]);
    const seen = new Map<string, number>();
    for (const tx of transactions) {
      if (!tx.method || tx.method === 'approve') continue;
      // Same method with the same arguments = the same step sent twice.
      const key = `${tx.to}:${tx.input}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const duplicates = [...seen.entries()].filter(([, count]) => count > 1);
    expect(duplicates, 'transactions sent twice').to.deep.equal([]);
  }

  it('(b) 20 requests from 20 stakers all end minted, with fewer proveGateway than messages', async () => {
    home = await prepareFacilitatorHome(devnet);
    facilitator = await startFacilitatorProcess(home);
    const stakers = addressesWithRole(devnet, 'staker').slice(0, 20);
    const stakes = await Promise.all(stakers.map((staker, i) => stakeFor(devnet, staker, `0x${(0xb0000 + i).toString(16).padStart(40, '0')}`)));
    const minted = await waitForMints(devnet, 20, 180_000);
    expect(minted.size).to.equal(20);
    for (const [i, stake] of stakes.entries()) {
      const mint = [...minted.values()].find((m) => m.beneficiary === stake.beneficiary);
      expect(mint, `stake ${i} minted`).to.not.equal(undefined);
      expect(mint!.minted + mint!.reward).to.equal(stake.amount);
    }
    const transactions = await facilitatorTransactions();
    const proofs = transactions.filter((tx) => tx.method === 'proveGateway').length;
    expect(proofs).to.be.greaterThan(0);
    expect(proofs).to.be.lessThan(20);
    expectNoDuplicates(transactions);
    // On a devnet with a base fee, every facilitation transaction is type 2, and none had to be replaced.
    expect(transactions.filter((tx) => tx.type !== '0x2').map((tx) => `${tx.method} ${tx.type}`)).to.deep.equal([]);
    expect(facilitator.logs()).to.not.contain('stuck transaction replaced');
  });

  it('(c) killed with SIGKILL during each step in turn and restarted, finishes every message and sends nothing twice', async () => {
    home = await prepareFacilitatorHome(devnet);
    const steps = ['acceptStakeRequest', 'proveGateway', 'confirmStakeIntent', 'progressStake', 'progressMint'];
    const stakers = addressesWithRole(devnet, 'staker');
    for (const [index, step] of steps.entries()) {
      const running = await startFacilitatorProcess(home);
      await stakeFor(devnet, stakers[index], `0x${(0xc0000 + index).toString(16).padStart(40, '0')}`);
      const sent = new RegExp(`"purpose":"${step}"[^\\n]*"msg":"transaction sent"`);
      const deadline = Date.now() + 60_000;
      while (!sent.test(running.logs()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(sent.test(running.logs()), `${step} was sent`).to.equal(true);
      expect(await running.stop('SIGKILL')).to.equal(null);
    }
    facilitator = await startFacilitatorProcess(home);
    const last = facilitator;
    const minted = await waitForMints(devnet, steps.length, 120_000).catch(async (error: Error) => {
      const lines = last.logs().split('\n').filter((line) => /"level":(40|50)|state [A-Z]+"|queued"|transaction sent/.test(line));
      const db = await openDatabase(home.databasePath, { readOnly: true });
      const rows = JSON.stringify({
        messages: await db('messages').select('message_hash', 'state', 'source_status', 'target_status', 'declaration_height'),
        transactions: await db('transactions').select('purpose', 'subject', 'status', 'last_error'),
        gateways: await db('gateways'),
        locks: await db('process_locks'),
      });
      await db.destroy();
      throw new Error(`${error.message}\n${rows}\n${lines.slice(-40).join('\n')}`);
    });
    expect(minted.size).to.equal(steps.length);
    expectNoDuplicates(await facilitatorTransactions());
  });

  it('(d) a request naming an unknown gateway is ignored with a clear log line', async () => {
    home = await prepareFacilitatorHome(devnet);
    // The composer only takes requests for gateways that answer valueToken(): deploy a second, unknown gateway.
    const unknownGateway = await deployUnknownGateway(devnet);
    facilitator = await startFacilitatorProcess(home);
    const staker = addressesWithRole(devnet, 'staker')[0];
    const stake = await requestStake({
      client: devnet.origin.client,
      composer: pair().origin.ostComposerAddress,
      gateway: unknownGateway,
      valueToken: devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress,
      staker: devnet.originSender(staker),
    });
    const deadline = Date.now() + 30_000;
    const ignored = /stake request ignored/;
    while (!ignored.test(facilitator.logs()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const line = facilitator.logs().split('\n').find((l) => ignored.test(l));
    expect(line, 'log line').to.not.equal(undefined);
    expect(line).to.contain(stake.stakeRequestHash.toLowerCase());
    expect(line).to.contain(`gateway ${unknownGateway} is not supported`);
    const accepts = (await facilitatorTransactions()).filter((tx) => tx.method === 'acceptStakeRequest');
    expect(accepts).to.have.length(0);
  });

  it('(e) (a) also passes over the polling transport against a separately running indexer (graph-node stand-in)', async () => {
    const indexerDb = await openTestDatabase();
    const indexer = await startDevnetIndexer(devnet, indexerDb.knex, 100);
    try {
      home = await prepareFacilitatorHome(devnet, {
        transport: {
          mode: 'polling',
          origin: indexer.server.url(indexer.subgraphName('origin')),
          auxiliary: indexer.server.url(indexer.subgraphName('auxiliary')),
        },
      });
      facilitator = await startFacilitatorProcess(home);
      expect(facilitator.logs()).to.not.contain('embedded indexer serving');
      const beneficiary = '0x00000000000000000000000000000000000e2e05';
      const stake = await stakeFor(devnet, addressesWithRole(devnet, 'staker')[0], beneficiary);
      const minted = await waitForMints(devnet, 1, 60_000);
      const mint = [...minted.values()][0];
      expect(mint.beneficiary).to.equal(beneficiary);
      expect(mint.minted + mint.reward).to.equal(stake.amount);
      expect(await devnet.auxiliary.client.getBalance(beneficiary)).to.equal(stake.amount - mint.reward);
      expect(await facilitator.stop()).to.equal(0);
      facilitator = undefined;
    } finally {
      await indexer.stop();
      await indexerDb.close();
    }
  });
});

/** A second EIP20Gateway on origin, activated, that the facilitator's config does not name. */
async function deployUnknownGateway(devnet: Devnet): Promise<string> {
  const owner = devnet.info.accounts.find((a) => a.role === 'owner')!.address;
  const admin = devnet.info.accounts.find((a) => a.role === 'admin')!.address;
  const sender = devnet.originSender(owner);
  const origin = devnet.mosaicConfig.originChain.contractAddresses;
  const pairAddresses = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
  const data = contractInterface('EIP20Gateway').encodeDeploy(
    linkedBytecode('EIP20Gateway', { MessageBus: origin.messageBusAddress, GatewayLib: origin.gatewayLibAddress }),
    [origin.simpleTokenAddress, origin.simpleTokenAddress, pairAddresses.origin.anchorAddress, 10n ** 18n, pairAddresses.origin.ostGatewayOrganizationAddress, '0x0000000000000000000000000000000000000000', 100n],
  );
  const receipt = await sender.send({ data, gas: 7_000_000n, label: 'deploy unknown EIP20Gateway' });
  const address = receipt.contractAddress!.toLowerCase();
  void admin;
  await sender.send(new Eip20Gateway(devnet.origin.client, address).activateGateway('0x00000000000000000000000000000000000c0c0c'));
  return address;
}
