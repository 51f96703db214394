import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadFacilitatorConfig } from '../../src/config/facilitator-config';
import type { DatabaseTarget } from '../../src/db/database-target';
import type { Devnet } from '../../src/devnet/devnet';
import { devnetContracts } from '../../src/devnet/devnet-contracts';
import { requestRedeem } from '../../src/devnet/demo-redeemer';
import { requestStakeOnDevnet } from '../../src/devnet/devnet-stake';
import { contractInterface } from '../../src/mosaic/contracts';
import { runCli } from '../helpers/cli';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';
import { prepareFacilitatorHome, startFacilitatorProcess, type FacilitatorHome, type RunningFacilitator } from '../helpers/facilitator-process';
import { startInProcessFacilitator, type InProcessFacilitator } from '../helpers/in-process-facilitator';
import { testPostgres } from '../helpers/postgres';

type PostgresTarget = Extract<DatabaseTarget, { client: 'postgres' }>;

/** Events of one contract, by name, read from chain logs only. */
async function eventNames(client: Devnet['origin']['client'], contract: 'EIP20Gateway' | 'EIP20CoGateway', address: string): Promise<Array<{ name: string; messageHash: string }>> {
  const logs = await client.getLogs({ fromBlock: 0n, toBlock: await client.blockNumber(), address });
  return contractInterface(contract)
    .decodeLogs(logs, address)
    .map((e) => ({ name: e.name, messageHash: String(e.args._messageHash ?? '').toLowerCase() }));
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Rows of a table on the PostgreSQL server, read with a plain client (not through the facilitator). */
async function rowsOf(target: PostgresTarget, sql: string): Promise<Array<Record<string, unknown>>> {
  const url = new URL(target.url);
  const client = new pg.Client({ host: url.hostname, port: Number(url.port), user: url.username, database: url.pathname.slice(1), password: target.password });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}

describe('e2e: the facilitator on PostgreSQL (a real server the tests start)', function () {
  this.timeout(240_000);
  let devnet: Devnet;
  let inProcess: InProcessFacilitator | undefined;
  let home: FacilitatorHome | undefined;
  let running: RunningFacilitator | undefined;

  before(async () => {
    devnet = await startTestDevnet({ stakers: 12, blockTimeMs: 100, anchorIntervalMs: 300 });
  });
  afterEach(async () => {
    await inProcess?.stop();
    inProcess = undefined;
    await running?.stop();
    running = undefined;
    home?.remove();
    home = undefined;
  });
  after(async () => devnet?.close());

  it('10 concurrent stakes minted and a redeem unstaked, every step once, the state in PostgreSQL', async () => {
    const database = await (await testPostgres()).createDatabase();
    inProcess = await startInProcessFacilitator(devnet, { confirmations: 0, reconcileIntervalMs: 500, database });
    const stakers = addressesWithRole(devnet, 'staker').slice(0, 10);
    const { pair, gateway, coGateway, redeemPool } = devnetContracts(devnet);
    const mintedBefore = (await eventNames(devnet.auxiliary.client, 'EIP20CoGateway', coGateway.address)).filter((e) => e.name === 'MintProgressed').length;
    await Promise.all(stakers.map((staker) => requestStakeOnDevnet(devnet, staker)));
    await until('10 mints', 150_000, async () => {
      const mints = (await eventNames(devnet.auxiliary.client, 'EIP20CoGateway', coGateway.address)).filter((e) => e.name === 'MintProgressed');
      return mints.length >= mintedBefore + stakers.length ? mints : undefined;
    });
    await requestRedeem({
      client: devnet.auxiliary.client,
      ostPrime: pair.auxiliary.ostPrimeAddress,
      redeemPool: redeemPool.address,
      coGateway: coGateway.address,
      redeemer: devnet.auxiliarySender(stakers[0]),
      amount: 10n * 10n ** 18n,
    });
    await until('the unstake', 120_000, async () => {
      const unstaked = (await eventNames(devnet.origin.client, 'EIP20Gateway', gateway.address)).filter((e) => e.name === 'UnstakeProgressed');
      return unstaked.length > 0 ? unstaked : undefined;
    });

    const perMessage = new Map<string, string[]>();
    for (const event of [
      ...(await eventNames(devnet.origin.client, 'EIP20Gateway', gateway.address)),
      ...(await eventNames(devnet.auxiliary.client, 'EIP20CoGateway', coGateway.address)),
    ]) {
      if (!event.messageHash) continue;
      perMessage.set(event.messageHash, [...(perMessage.get(event.messageHash) ?? []), event.name]);
    }
    for (const [messageHash, names] of perMessage) expect(new Set(names).size, `${messageHash}: ${names.join(', ')}`).to.equal(names.length);

    const rows = await until('every message COMPLETED in PostgreSQL', 30_000, async () => {
      const found = await rowsOf(database, 'SELECT direction, state FROM messages');
      return found.length === stakers.length + 1 && found.every((r) => r.state === 'COMPLETED') ? found : undefined;
    });
    expect(rows.filter((r) => r.direction === 'REDEEM')).to.have.length(1);
    const nonces = await rowsOf(database, 'SELECT chain_id, worker, next_nonce FROM worker_nonces');
    expect(nonces.length, 'nonces reserved in PostgreSQL').to.be.greaterThan(0);
  });

  it('facilitator start (a process) runs on PostgreSQL with MOSAIC_DB_PASSWORD; status reads it read-only; a wrong password is one clear line', async () => {
    const database = await (await testPostgres()).createDatabase();
    home = await prepareFacilitatorHome(devnet, { database });
    const config = readFileSync(home.configPath, 'utf8');
    expect(config, 'no password in the config').to.not.contain(database.password!);
    running = await startFacilitatorProcess(home);
    const [staker] = addressesWithRole(devnet, 'staker').slice(10);
    const stake = await requestStakeOnDevnet(devnet, staker);
    await until('the stake COMPLETED in PostgreSQL', 120_000, async () => {
      const found = await rowsOf(database, `SELECT m.state FROM messages m JOIN stake_requests r ON r.message_hash = m.message_hash WHERE r.stake_request_hash = '${stake.stakeRequestHash.toLowerCase()}'`);
      return found[0]?.state === 'COMPLETED' ? found : undefined;
    });
    expect(running.logs(), 'the password never logged').to.not.contain(database.password!);
    expect(await running.stop('SIGTERM')).to.equal(0);
    running = undefined;

    const status = await runCli(['status', '--facilitator-config', home.configPath, '--json'], { env: home.env, timeoutMs: 30_000 });
    expect(status.code, status.stderr).to.equal(0);
    const counts = (JSON.parse(status.stdout) as { messageCounts: Array<{ state: string; count: number }> }).messageCounts;
    expect(counts.find((c) => c.state === 'COMPLETED')?.count).to.be.greaterThan(0);

    const wrong = await runCli(['status', '--facilitator-config', home.configPath], { env: { ...home.env, MOSAIC_DB_PASSWORD: 'not-the-password' }, timeoutMs: 30_000 });
    expect(wrong.code).to.not.equal(0);
    const lines = wrong.stderr.trim().split('\n');
    expect(lines, wrong.stderr).to.have.length(1);
    expect(lines[0]).to.match(/password authentication failed/);
    expect(wrong.stderr).to.not.contain('not-the-password');
  });

  it('init --db-url creates the tables on the server and writes the URL, never the password; a server that cannot be reached writes nothing', async () => {
    const database = await (await testPostgres()).createDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'mosaic-init-pg-'));
    try {
      const mosaicPath = join(dir, 'mosaic.json');
      writeFileSync(mosaicPath, JSON.stringify(devnet.mosaicConfig));
      const url = new URL(database.url);
      const withoutUser = `postgres://${url.host}${url.pathname}`;
      const args = ['init', '--mosaic-config', mosaicPath, '--aux-chain-id', '1405', '--origin-rpc', devnet.info.origin.rpcUrl, '--auxiliary-rpc', devnet.info.auxiliary.rpcUrl, '--password-env', 'INIT_PASSWORD'];
      const env = { MOSAIC_HOME: dir, INIT_PASSWORD: 'init password 123', MOSAIC_DB_PASSWORD: database.password! };
      const result = await runCli([...args, '--db-url', withoutUser, '--db-username', 'postgres'], { env, timeoutMs: 60_000 });
      expect(result.code, result.stderr).to.equal(0);
      const configPath = join(dir, '1405', 'facilitator-config.json');
      const config = loadFacilitatorConfig(configPath);
      expect(config.database).to.deep.include({ client: 'postgres', url: `postgres://postgres@${url.host}${url.pathname}` });
      expect(readFileSync(configPath, 'utf8')).to.not.contain(database.password!);
      const tables = await rowsOf(database, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
      expect(tables.map((t) => t.table_name)).to.include.members(['messages', 'stake_requests', 'transactions', 'worker_nonces', 'knex_migrations']);

      rmSync(join(dir, '1405'), { recursive: true, force: true });
      const unreachable = await runCli([...args, '--db-url', 'postgres://postgres@127.0.0.1:9/nowhere'], { env, timeoutMs: 60_000 });
      expect(unreachable.code).to.not.equal(0);
      expect(unreachable.stderr.trim().split('\n'), unreachable.stderr).to.have.length(1);
      expect(unreachable.stderr).to.match(/cannot open the database postgres:\/\/postgres@127\.0\.0\.1:9\/nowhere/);
      expect(existsSync(join(dir, '1405', 'facilitator-config.json')), 'no config written').to.equal(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
