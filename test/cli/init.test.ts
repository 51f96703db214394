import { expect } from 'chai';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFacilitatorConfig } from '../../src/config/facilitator-config';
import { unlockKeystore } from '../../src/config/keystore';
import type { Devnet } from '../../src/devnet/devnet';
import { runCli } from '../helpers/cli';
import { startTestDevnet } from '../helpers/devnet';

describe('facilitator init', function () {
  this.timeout(120_000);
  let devnet: Devnet;
  let home: string;
  let mosaicPath: string;
  const env = () => ({ MOSAIC_HOME: home, INIT_PASSWORD: 'init password 123' });
  const base = () => ['init', '--mosaic-config', mosaicPath, '--aux-chain-id', '1405', '--origin-rpc', devnet.info.origin.rpcUrl, '--auxiliary-rpc', devnet.info.auxiliary.rpcUrl];

  before(async () => {
    devnet = await startTestDevnet({ stakers: 0 });
  });
  after(async () => devnet?.close());
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'mosaic-init-'));
    mosaicPath = join(home, 'mosaic.json');
    writeFileSync(mosaicPath, JSON.stringify(devnet.mosaicConfig));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const configPath = () => join(home, '1405', 'facilitator-config.json');

  it('writes a valid 0600 config with encrypted worker keys and prints exports, funding and whitelisting', async () => {
    const result = await runCli([...base(), '--workers', '2', '--password-env', 'INIT_PASSWORD'], { env: env(), timeoutMs: 60_000 });
    expect(result.code, result.stderr).to.equal(0);
    expect(statSync(configPath()).mode & 0o777).to.equal(0o600);
    expect(statSync(join(home, '1405', 'admin-token')).mode & 0o777, 'the admin API token beside the config, owner-only').to.equal(0o600);
    expect(result.stdout + result.stderr, 'the token is never printed').not.to.contain(readFileSync(join(home, '1405', 'admin-token'), 'utf8').trim());
    const config = loadFacilitatorConfig(configPath());
    const workers = config.chains['1337'].workers;
    expect(workers).to.have.length(2);
    expect(config.chains['1405'].subgraph.mode).to.equal('embedded');
    const signer = await unlockKeystore(workers[0], config.encryptedAccounts[workers[0]], 'init password 123');
    expect(signer.address).to.equal(workers[0]);
    expect(result.stdout).to.contain(`export MOSAIC_ADDRESS_PASSW_${workers[0]}=<password>`);
    expect(result.stdout).to.contain(devnet.mosaicConfig.auxiliaryChains['1405'].contractAddresses.origin.ostComposerOrganizationAddress);
    expect(result.stdout + result.stderr).to.not.contain('init password 123');
    expect(readFileSync(configPath(), 'utf8')).to.not.contain('init password 123');

    const again = await runCli([...base(), '--password-env', 'INIT_PASSWORD'], { env: env(), timeoutMs: 60_000 });
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/exists: pass --force/);
    const forced = await runCli([...base(), '--password-env', 'INIT_PASSWORD', '--force'], { env: env(), timeoutMs: 60_000 });
    expect(forced.code, forced.stderr).to.equal(0);
  });

  it('creates the database owner-only, and --force over a 0644 config leaves it 0600', async () => {
    const first = await runCli([...base(), '--password-env', 'INIT_PASSWORD'], { env: env(), timeoutMs: 60_000 });
    expect(first.code, first.stderr).to.equal(0);
    const database = join(home, '1405', 'facilitator.sqlite');
    expect(statSync(database).mode & 0o777, 'database created by init, 0600').to.equal(0o600);
    expect(statSync(join(home, '1405')).mode & 0o777, 'its folder 0700').to.equal(0o700);
    chmodSync(configPath(), 0o644);
    chmodSync(database, 0o644);
    const forced = await runCli([...base(), '--password-env', 'INIT_PASSWORD', '--force'], { env: env(), timeoutMs: 60_000 });
    expect(forced.code, forced.stderr).to.equal(0);
    expect(statSync(configPath()).mode & 0o777, 'the replaced config is 0600').to.equal(0o600);
    expect(statSync(database).mode & 0o777, 'the existing database is tightened').to.equal(0o600);
  });

  const refuses = async (args: string[], pattern: RegExp, environment: NodeJS.ProcessEnv = env()) => {
    const result = await runCli(args, { env: environment, timeoutMs: 60_000 });
    expect(result.code, result.stdout).to.not.equal(0);
    expect(result.stderr).to.match(pattern);
    expect(result.stderr).to.match(/^facilitator: /);
    expect(existsSync(configPath()), 'nothing written').to.equal(false);
  };

  it('refuses a chain id mismatch', async () => {
    await refuses(
      ['init', '--mosaic-config', mosaicPath, '--aux-chain-id', '1405', '--origin-rpc', devnet.info.auxiliary.rpcUrl, '--auxiliary-rpc', devnet.info.auxiliary.rpcUrl, '--password-env', 'INIT_PASSWORD'],
      /chain id mismatch: origin RPC .* is chain 1405, the mosaic-config says 1337/,
    );
  });

  it('refuses an unreachable RPC and an unreachable subgraph', async () => {
    await refuses(['init', '--mosaic-config', mosaicPath, '--aux-chain-id', '1405', '--origin-rpc', 'http://127.0.0.1:9', '--auxiliary-rpc', devnet.info.auxiliary.rpcUrl, '--password-env', 'INIT_PASSWORD'], /origin RPC http:\/\/127\.0\.0\.1:9 does not answer/);
    await refuses([...base(), '--origin-graph', 'http://127.0.0.1:9/subgraphs/name/x', '--password-env', 'INIT_PASSWORD'], /origin subgraph .* does not answer a _meta query/);
  });

  it('refuses a missing or malformed mosaic-config, an unknown aux chain, and a missing password', async () => {
    await refuses([...base().slice(0, 2), join(home, 'nope.json'), ...base().slice(3), '--password-env', 'INIT_PASSWORD'], /nope\.json does not exist/);
    writeFileSync(join(home, 'bad.json'), '{ not json');
    await refuses([...base().slice(0, 2), join(home, 'bad.json'), ...base().slice(3), '--password-env', 'INIT_PASSWORD'], /is not valid JSON/);
    writeFileSync(join(home, 'schema.json'), JSON.stringify({ ...devnet.mosaicConfig, originChain: { chainId: 1337, contractAddresses: { simpleTokenAddress: '0x12' } } }));
    await refuses([...base().slice(0, 2), join(home, 'schema.json'), ...base().slice(3), '--password-env', 'INIT_PASSWORD'], /simpleTokenAddress|merklePatriciaLibAddress/);
    await refuses(['init', '--mosaic-config', mosaicPath, '--aux-chain-id', '1406', '--origin-rpc', devnet.info.origin.rpcUrl, '--auxiliary-rpc', devnet.info.auxiliary.rpcUrl, '--password-env', 'INIT_PASSWORD'], /has no auxiliary chain 1406/);
    await refuses(base(), /no password for the new worker keystores: pass --password-env/);
  });
});
