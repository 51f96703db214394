import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainClient } from '../../src/chain/chain-client';
import { HttpJsonRpc } from '../../src/chain/json-rpc';
import { openDatabase } from '../../src/db/open-database';
import type { MosaicConfigShape } from '../../src/config/mosaic-config';
import type { DevnetInfo } from '../../src/devnet/devnet-info';
import { OstComposer } from '../../src/mosaic/contracts';
import { RedeemPool } from '../../src/mosaic/redeem-contracts';
import { scriptedStakeAndMint } from '../../src/devnet/scripted-stake-and-mint';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';
import { runCli, spawnCli, waitForExit, waitForOutput } from '../helpers/cli';

describe('facilitator dev', function () {
  this.timeout(90_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'facilitator-dev-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is ready in under 15 s, writes mosaic.json and devnet.json, serves both chains, and exits 0 on SIGTERM', async () => {
    rmSync(dir, { recursive: true }); // dev makes its folder itself: owner-only
    const started = Date.now();
    const child = spawnCli(['dev', '--dir', dir, '--origin-port', '0', '--aux-port', '0', '--stakers', '3']);
    try {
      const output = await waitForOutput(child, /Stop with Ctrl-C/, 30_000);
      expect(Date.now() - started, 'start to ready').to.be.below(15_000);
      expect(output).to.match(/origin\s+chain 1337\s+http:\/\/127\.0\.0\.1:\d+/);

      const info = JSON.parse(readFileSync(join(dir, 'devnet.json'), 'utf8')) as DevnetInfo;
      const mosaic = JSON.parse(readFileSync(join(dir, 'mosaic.json'), 'utf8')) as MosaicConfigShape;
      expect(statSync(dir).mode & 0o777, 'the folder dev made holds keys and the database: owner-only').to.equal(0o700);
      expect(statSync(join(dir, 'devnet.json')).mode & 0o777, 'devnet.json holds keys: owner-only').to.equal(0o600);
      expect(statSync(join(dir, 'admin-token')).mode & 0o777, 'the admin API token, owner-only').to.equal(0o600);
      expect(info.version).to.equal(1);
      expect(info.accounts.filter((a) => a.role === 'staker')).to.have.length(3);
      expect(info.accounts.filter((a) => a.role === 'worker')).to.have.length(2);
      expect(mosaic.version).to.equal(1);
      const pair = mosaic.auxiliaryChains['1405'];
      expect(pair.startBlocks.origin).to.be.a('number');

      const origin = new ChainClient(new HttpJsonRpc(info.origin.rpcUrl, 5_000), info.origin.chainId);
      const aux = new ChainClient(new HttpJsonRpc(info.auxiliary.rpcUrl, 5_000), info.auxiliary.chainId);
      expect(await origin.getChainId()).to.equal(1337);
      expect(await aux.getChainId()).to.equal(1405);
      expect(await origin.getCode(pair.contractAddresses.origin.ostComposerAddress)).to.not.equal('0x');

      const staked = await runCli(['dev', 'stake', '--dir', dir, '--count', '2', '--amount', '12.5'], { timeoutMs: 30_000 });
      expect(staked.code, staked.stderr).to.equal(0);
      const lines = staked.stdout.trim().split('\n').map((l) => JSON.parse(l) as { stakeRequestHash: string; amount: string });
      expect(lines).to.have.length(2);
      expect(lines[0].amount).to.equal('12500000000000000000');
      const composer = new OstComposer(origin, pair.contractAddresses.origin.ostComposerAddress);
      for (const line of lines) expect(await composer.stakeRequestExists(line.stakeRequestHash)).to.equal(true);

      child.kill('SIGTERM');
      expect(await waitForExit(child, 15_000)).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('starts from a fresh database: the one an earlier run left describes chains that are gone', async () => {
    const stale = await openDatabase(join(dir, 'facilitator.sqlite'));
    await stale.schema.createTable('left_by_an_earlier_run', (t) => t.integer('id'));
    await stale.destroy();
    const child = spawnCli(['dev', '--dir', dir, '--origin-port', '0', '--aux-port', '0', '--stakers', '1']);
    try {
      await waitForOutput(child, /Stop with Ctrl-C/, 30_000);
      const fresh = await openDatabase(join(dir, 'facilitator.sqlite'));
      try {
        expect(await fresh.schema.hasTable('left_by_an_earlier_run'), 'the earlier run\'s database').to.equal(false);
        expect(await fresh.schema.hasTable('stream_cursors'), 'a migrated database').to.equal(true);
      } finally {
        await fresh.destroy();
      }
      child.kill('SIGTERM');
      expect(await waitForExit(child, 15_000)).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('rejects a bad option with one clear line and a non-zero exit', async () => {
    const result = await runCli(['dev', '--origin-port', 'eighty'], { timeoutMs: 20_000 });
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.match(/--origin-port.*expected a TCP port|expected a whole number/);
  });

  it('refuses equal origin and auxiliary chain ids with one line, creating nothing', async () => {
    const state = join(dir, 'state');
    const result = await runCli(['dev', '--dir', state, '--origin-chain-id', '5', '--aux-chain-id', '5', '--origin-port', '0', '--aux-port', '0'], { timeoutMs: 20_000 });
    expect(result.code).to.equal(1);
    expect(result.stderr.trim().split('\n')).to.deep.equal(['facilitator: --aux-chain-id 5 equals --origin-chain-id: the two chains need different ids']);
    expect(existsSync(state)).to.equal(false);
  });

  it('dev stake without a running devnet says how to start one', async () => {
    const result = await runCli(['dev', 'stake', '--dir', join(dir, 'nothing-here')], { timeoutMs: 20_000 });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/start the devnet first with `facilitator dev`/);
  });

  it('dev stake --help and dev redeem --help print their options and defaults', async () => {
    for (const command of ['stake', 'redeem']) {
      const result = await runCli(['dev', command, '--help'], { timeoutMs: 20_000 });
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.match(/--amount <OST>.*\(default: \d+\)/);
      expect(result.stdout).to.contain('(default: 1000000000)');
    }
  });

  it('dev redeem refuses bad input with one line naming the flag and a non-zero exit, before reading the devnet', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--count', '0'], /--count.*expected a number greater than 0/],
      [['--amount', 'ten'], /--amount.*expected a token amount/],
      [['--gas-price', '-1'], /--gas-price.*expected a whole number/],
      [['--beneficiary', '0x1234'], /--beneficiary.*expected a 20-byte 0x-prefixed hex address/],
      [['--amount', '0.0001'], /--amount must exceed --gas-price × --gas-limit \(0\.001 OST′\)/],
    ];
    const missing = join(dir, 'no-devnet-here');
    const results = await Promise.all(cases.map(([args]) => runCli(['dev', 'redeem', '--dir', missing, ...args], { timeoutMs: 20_000 })));
    results.forEach((result, i) => {
      expect(result.code, cases[i][0].join(' ')).to.equal(1);
      expect(result.stderr.trim().split('\n'), result.stderr).to.have.length(1);
      expect(result.stderr).to.match(cases[i][1]);
      expect(result.stdout).to.equal('');
    });
  });

  it('dev redeem says in one line that a redeem needs a prior stake & mint, then redeems once minted', async () => {
    const devnet = await startTestDevnet({ dir, stakers: 3 });
    try {
      const refused = await runCli(['dev', 'redeem', '--dir', dir, '--count', '2'], { timeoutMs: 30_000 });
      expect(refused.code).to.equal(1);
      expect(refused.stderr.trim().split('\n'), refused.stderr).to.have.length(1);
      expect(refused.stderr).to.match(/a redeem needs a prior stake & mint: OSTPrime can wrap only 0 OST′/);

      const [first, second] = addressesWithRole(devnet, 'staker');
      await scriptedStakeAndMint(devnet, { staker: first, worker: addressesWithRole(devnet, 'worker')[0] });
      const redeemed = await runCli(['dev', 'redeem', '--dir', dir, '--count', '2', '--amount', '12.5'], { timeoutMs: 30_000 });
      expect(redeemed.code, redeemed.stderr).to.equal(0);
      const lines = redeemed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { redeemer: string; redeemRequestHash: string; amount: string });
      expect(lines.map((l) => l.redeemer)).to.deep.equal([first, second]);
      const pair = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
      const pool = new RedeemPool(devnet.auxiliary.client, pair.auxiliary.redeemPoolAddress);
      for (const line of lines) {
        expect(line.amount).to.equal('12500000000000000000');
        expect(await pool.redeemRequestExists(line.redeemRequestHash, line.redeemer, pair.auxiliary.ostEIP20CogatewayAddress)).to.equal(true);
      }
    } finally {
      await devnet.close();
    }
  });
});
