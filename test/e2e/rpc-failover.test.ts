import { expect } from 'chai';
import type { Devnet } from '../../src/devnet/devnet';
import { requestStakeOnDevnet } from '../../src/devnet/devnet-stake';
import { runCli } from '../helpers/cli';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';
import { prepareFacilitatorHome, startFacilitatorProcess, type FacilitatorHome, type RunningFacilitator } from '../helpers/facilitator-process';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';

/**
 * Each chain has two RPC endpoints: a loopback proxy (preferred) and the node itself. The test cuts
 * the proxies mid-flow: the facilitator must fail over to the second endpoint and finish a stake
 * requested meanwhile without waiting for the first to come back, show the switch in its metrics,
 * status API and `facilitator status`, and return to the preferred endpoint once it is back.
 */
describe('e2e: the preferred RPC endpoint of both chains goes down mid-flow', function () {
  this.timeout(300_000);
  let devnet: Devnet;
  let home: FacilitatorHome | undefined;
  let facilitator: RunningFacilitator | undefined;
  const proxies: Record<string, TcpProxy> = {};

  before(async () => {
    devnet = await startTestDevnet({ stakers: 3, anchorIntervalMs: 500 });
  });
  after(async () => {
    if (facilitator) await facilitator.stop('SIGKILL');
    for (const proxy of Object.values(proxies)) await proxy.close();
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

  const statusUrl = () => /status API: (\S+)/.exec(facilitator!.stdout())![1];
  const metrics = async () => (await fetch(statusUrl().replace(/\/graphql$/, '/metrics'))).text();
  const activeLine = (chainId: number, endpoint: string) => `facilitator_rpc_endpoint_active{chain_id="${chainId}",endpoint="${endpoint}"} 1`;

  async function waitForMetric(line: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await metrics();
      if (text.includes(line)) return text;
      if (Date.now() > deadline) throw new Error(`no metric ${line} within ${timeoutMs} ms\n${text.split('\n').filter((l) => l.startsWith('facilitator_rpc')).join('\n')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('fails over to the second endpoint, mints a stake requested during the outage, and goes back when the first is up', async () => {
    const chains = [devnet.info.origin, devnet.info.auxiliary];
    for (const chain of chains) {
      const target = new URL(chain.rpcUrl);
      proxies[chain.chainId] = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    }
    home = await prepareFacilitatorHome(devnet, {
      configure: (config) => {
        for (const [id, chain] of Object.entries(config.chains as Record<string, { rpc: unknown; healthCheckIntervalMs?: number }>)) {
          chain.rpc = [proxies[id].url(), chain.rpc];
          chain.healthCheckIntervalMs = 300;
        }
      },
    });
    facilitator = await startFacilitatorProcess(home);
    const [first, second] = addressesWithRole(devnet, 'staker');
    await requestStakeOnDevnet(devnet, first, '0x00000000000000000000000000000000000b0001');
    await mintedTo('0x00000000000000000000000000000000000b0001', 90_000);
    for (const chain of chains) await waitForMetric(activeLine(chain.chainId, proxies[chain.chainId].url()), 10_000);

    for (const proxy of Object.values(proxies)) await proxy.cut();
    await requestStakeOnDevnet(devnet, second, '0x00000000000000000000000000000000000b0002');
    await mintedTo('0x00000000000000000000000000000000000b0002', 90_000);

    const during = await waitForMetric(activeLine(devnet.info.origin.chainId, devnet.info.origin.rpcUrl), 10_000);
    await waitForMetric(activeLine(devnet.info.auxiliary.chainId, devnet.info.auxiliary.rpcUrl), 10_000);
    expect(during).to.contain(activeLine(devnet.info.origin.chainId, devnet.info.origin.rpcUrl));
    expect(during).to.match(
      new RegExp(`facilitator_rpc_failovers_total\\{chain_id="${devnet.info.origin.chainId}",from="${proxies[devnet.info.origin.chainId].url()}",to="${devnet.info.origin.rpcUrl}"\\} [1-9]`),
    );
    expect(facilitator.logs()).to.match(/RPC endpoint switched/);

    const api = await fetch(statusUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ chains { chainId rpcFailovers rpcEndpoints { endpoint active healthy fault } } }' }),
    }).then((r) => r.json() as Promise<{ data: { chains: Array<{ chainId: number; rpcFailovers: number; rpcEndpoints: Array<{ endpoint: string; active: boolean; healthy: boolean; fault: string | null }> }> } }>);
    const origin = api.data.chains.find((c) => c.chainId === devnet.info.origin.chainId)!;
    expect(origin.rpcFailovers).to.be.greaterThan(0);
    expect(origin.rpcEndpoints.map((e) => [e.endpoint, e.active, e.healthy])).to.deep.equal([
      [proxies[devnet.info.origin.chainId].url(), false, false],
      [devnet.info.origin.rpcUrl, true, true],
    ]);

    const status = await runCli(['status', '--aux-chain-id', String(devnet.info.auxChainId)], { env: home.env, timeoutMs: 30_000 });
    expect(status.stdout).to.contain('rpc endpoints:');
    expect(status.stdout).to.contain(`* ${devnet.info.origin.rpcUrl}  healthy`);
    expect(status.stdout).to.match(new RegExp(`${proxies[devnet.info.origin.chainId].url()}  down \\(RpcTransportError\\)`));

    for (const proxy of Object.values(proxies)) await proxy.restore();
    for (const chain of chains) await waitForMetric(activeLine(chain.chainId, proxies[chain.chainId].url()), 30_000);
    expect(facilitator.child.exitCode).to.equal(null);
    expect(await facilitator.stop()).to.equal(0);
  });
});
