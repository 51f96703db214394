import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MosaicConfigShape } from '../../src/config/mosaic-config';
import type { Devnet } from '../../src/devnet/devnet';
import { runCli } from '../helpers/cli';
import { startTestDevnet } from '../helpers/devnet';
import { prepareFacilitatorHome, type FacilitatorHome } from '../helpers/facilitator-process';
import { configuredFolder, makeWorkers, type tempFolder, type Workers } from '../config/config-fixtures';

/* What `facilitator start` refuses before it writes anything (no chain needed: it stops first). */
describe('facilitator start refuses before writing anything', function () {
  this.timeout(60_000);
  let workers: Workers;
  let folder: ReturnType<typeof tempFolder>;
  let configPath: string;
  let databasePath: string;

  before(async () => (workers = await makeWorkers()));
  beforeEach(() => ({ folder, configPath, databasePath } = configuredFolder(workers)));
  afterEach(() => folder.remove());

  const start = (...args: string[]) =>
    runCli(['start', '--facilitator-config', configPath, ...args], { env: { MOSAIC_HOME: join(folder.dir, 'home') }, timeoutMs: 45_000 });

  it('a database that does not exist: one line naming it and how to create it; nothing created', async function () {
    const result = await start();
    expect(result.code).to.equal(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.contain(`no database at ${databasePath}`).and.to.contain('facilitator init').and.to.contain('--create-database');
    expect(existsSync(join(folder.dir, 'db')), 'no database folder').to.equal(false);
    expect(existsSync(join(folder.dir, 'home')), 'no run file').to.equal(false);
  });

  it('--status-host 999.999.999.999: one line naming the address, non-zero exit, nothing created (even with --create-database)', async function () {
    const before = readdirSync(folder.dir).sort();
    const result = await start('--create-database', '--status-host', '999.999.999.999');
    expect(result.code).to.equal(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).to.have.length(1);
    expect(lines[0]).to.match(/^facilitator: status API cannot listen on 999\.999\.999\.999:0 \(\w+\): use 127\.0\.0\.1 or an address of this machine for --status-host$/);
    expect(readdirSync(folder.dir).sort(), 'nothing created').to.deep.equal(before);
  });

  it('a bad status.host in the config: one line naming the config key', async function () {
    const plain = JSON.parse(readFileSync(configPath, 'utf8')) as { status: { host: string } };
    plain.status.host = '999.999.999.999';
    writeFileSync(configPath, JSON.stringify(plain));
    const result = await start('--create-database');
    expect(result.code).to.equal(1);
    expect(result.stderr.trim().split('\n')).to.have.length(1);
    expect(result.stderr).to.contain(`use 127.0.0.1 or an address of this machine for status.host in ${configPath}`);
    expect(existsSync(databasePath)).to.equal(false);
  });
});

describe('facilitator start checks the contracts on chain', function () {
  this.timeout(120_000);
  let devnet: Devnet;
  let home: FacilitatorHome;

  before(async () => {
    devnet = await startTestDevnet({ stakers: 0 });
    home = await prepareFacilitatorHome(devnet);
  });
  after(async () => {
    home?.remove();
    await devnet?.close();
  });

  it('a gateway address of another kind of contract: one line naming the key, non-zero exit, nothing written', async function () {
    const mosaic = JSON.parse(JSON.stringify(devnet.mosaicConfig)) as MosaicConfigShape;
    const pair = mosaic.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
    pair.origin.ostEIP20GatewayAddress = pair.origin.ostComposerAddress;
    writeFileSync(join(home.home, 'mosaic.json'), JSON.stringify(mosaic));
    const databaseBefore = statSync(home.databasePath).mtimeMs;
    const result = await runCli(['start', '--facilitator-config', home.configPath], { env: home.env, timeoutMs: 60_000 });
    expect(result.code).to.equal(1);
    const lines = result.stderr.trim().split('\n').filter((line) => !line.startsWith('{'));
    expect(lines, result.stderr).to.have.length(1);
    expect(lines[0]).to.contain(`auxiliaryChains.${devnet.info.auxChainId}.contractAddresses.origin.ostEIP20GatewayAddress`).and.to.contain('is not an EIP20Gateway');
    expect(existsSync(join(home.home, 'run')), 'no run file').to.equal(false);
    expect(statSync(home.databasePath).mtimeMs, 'database untouched').to.equal(databaseBefore);
  });
});
