import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Devnet } from '../../src/devnet/devnet';
import { requestStakeOnDevnet } from '../../src/devnet/devnet-stake';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';
import { prepareFacilitatorHome, startFacilitatorProcess, type FacilitatorHome, type RunningFacilitator } from '../helpers/facilitator-process';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';

/**
 * Fault test on loopback: the facilitator reaches both chains through TCP proxies that the test cuts
 * for a while. The process must stay up, keep its place, and finish what was requested meanwhile.
 */
describe('e2e: both chains unreachable for a while', function () {
  this.timeout(300_000);
  let devnet: Devnet;
  let home: FacilitatorHome | undefined;
  let facilitator: RunningFacilitator | undefined;
  const proxies: TcpProxy[] = [];

  before(async () => {
    devnet = await startTestDevnet({ stakers: 3, anchorIntervalMs: 500 });
  });
  after(async () => {
    if (facilitator) await facilitator.stop('SIGKILL');
    for (const proxy of proxies) await proxy.close();
    home?.remove();
    await devnet?.close();
  });

  async function mintedTo(beneficiary: string, timeoutMs: number): Promise<bigint> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const balance = await devnet.auxiliary.client.getBalance(beneficiary);
      if (balance > 0n) return balance;
      if (Date.now() > deadline) throw new Error(`nothing minted to ${beneficiary} within ${timeoutMs} ms\n${facilitator?.logs().slice(-6000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('stays up through the outage and mints a stake requested during it', async () => {
    home = await prepareFacilitatorHome(devnet);
    const config = JSON.parse(readFileSync(home.configPath, 'utf8')) as { chains: Record<string, { rpc: string }> };
    for (const chain of Object.values(config.chains)) {
      const target = new URL(chain.rpc);
      const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
      proxies.push(proxy);
      chain.rpc = proxy.url(target.pathname === '/' ? '' : target.pathname);
    }
    writeFileSync(home.configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
    facilitator = await startFacilitatorProcess(home);

    const [first, second] = addressesWithRole(devnet, 'staker');
    await requestStakeOnDevnet(devnet, first, '0x00000000000000000000000000000000000a0001');
    await mintedTo('0x00000000000000000000000000000000000a0001', 90_000);

    const logsBefore = facilitator.logs().length;
    for (const proxy of proxies) await proxy.cut();
    await requestStakeOnDevnet(devnet, second, '0x00000000000000000000000000000000000a0002');
    await new Promise((r) => setTimeout(r, 8_000));
    expect(facilitator.child.exitCode, 'the facilitator exited during the outage').to.equal(null);
    expect(await devnet.auxiliary.client.getBalance('0x00000000000000000000000000000000000a0002')).to.equal(0n);
    // The outage was real: the facilitator saw the chains unreachable and said it would retry.
    expect(facilitator.logs().slice(logsBefore)).to.match(/cannot reach http:\/\/127\.0\.0\.1:\d+.*retrying/);
    for (const proxy of proxies) await proxy.restore();

    const minted = await mintedTo('0x00000000000000000000000000000000000a0002', 120_000);
    expect(minted > 0n).to.equal(true);
    expect(facilitator.child.exitCode).to.equal(null);
    expect(await facilitator.stop()).to.equal(0);
  });
});
