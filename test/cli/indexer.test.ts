import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestStake } from '../../src/devnet/demo-staker';
import type { Devnet } from '../../src/devnet/devnet';
import { deploymentHash } from '../../src/indexer/deployment/deployment-hash';
import { builtSubgraphsFor } from '../../src/indexer/subgraph-build-cache';
import { packageRoot } from '../../src/util/package-root';
import { runCli, spawnCli, waitForExit, waitForOutput } from '../helpers/cli';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';

describe('facilitator indexer and facilitator subgraph', function () {
  this.timeout(180_000);
  let devnet: Devnet;
  let dir: string;

  before(async () => {
    devnet = await startTestDevnet({ stakers: 1 });
    dir = mkdtempSync(join(tmpdir(), 'facilitator-indexer-'));
  });
  after(async () => {
    await devnet?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexes a built subgraph stand-alone (a mapping worker allowed), serves it over HTTP, and exits 0 on SIGTERM', async () => {
    const builds = await builtSubgraphsFor(devnet.mosaicConfig, devnet.info.auxChainId, join(packageRoot(), '.tmp', 'subgraph-cache'));
    const child = spawnCli([
      'indexer', '--subgraph', builds.origin, '--rpc', devnet.info.origin.rpcUrl, '--db', join(dir, 'origin.sqlite'),
      '--port', '0', '--name', 'origin', '--chain-id', String(devnet.info.origin.chainId), '--poll-interval', '100',
      '--mapping-workers', '1',
    ]);
    try {
      const output = await waitForOutput(child, /query: (\S+)/, 60_000);
      const url = /query: (\S+)/.exec(output)![1];
      const pair = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
      const stake = await requestStake({
        client: devnet.origin.client,
        composer: pair.origin.ostComposerAddress,
        gateway: pair.origin.ostEIP20GatewayAddress,
        valueToken: devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress,
        staker: devnet.originSender(addressesWithRole(devnet, 'staker')[0]),
      });
      const deadline = Date.now() + 30_000;
      let found: string[] = [];
      while (Date.now() < deadline) {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ stakeRequesteds { stakeRequestHash } }' }) });
        found = ((await response.json()) as { data: { stakeRequesteds: Array<{ stakeRequestHash: string }> } }).data.stakeRequesteds.map((s) => s.stakeRequestHash);
        if (found.length > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(found).to.deep.equal([stake.stakeRequestHash.toLowerCase()]);
      // graph-node's deployment id: the manifest CID `graph deploy` of this build gets, served at /subgraphs/id/<it>.
      const deployment = deploymentHash(builds.origin);
      expect(output).to.include(`deployment ${deployment}\n`);
      const byId = await fetch(url.replace(/\/subgraphs\/name\/.*$/, `/subgraphs/id/${deployment}`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ _meta { deployment } }"}' });
      expect(await byId.json()).to.deep.equal({ data: { _meta: { deployment } } });
      child.kill('SIGTERM');
      expect(await waitForExit(child, 20_000)).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses an RPC of another chain with one clear line', async () => {
    const builds = await builtSubgraphsFor(devnet.mosaicConfig, devnet.info.auxChainId, join(packageRoot(), '.tmp', 'subgraph-cache'));
    const result = await runCli(['indexer', '--subgraph', builds.origin, '--rpc', devnet.info.auxiliary.rpcUrl, '--db', join(dir, 'x.sqlite'), '--chain-id', String(devnet.info.origin.chainId)], { timeoutMs: 30_000 });
    expect(result.code).to.equal(1);
    expect(result.stderr.trim().split('\n').pop()).to.match(/chain id mismatch: .* is chain 1405, --chain-id says 1337/);
  });

  it('subgraph build names a missing mosaic-config', async () => {
    const result = await runCli(['subgraph', 'build', '--mosaic-config', join(dir, 'missing.json'), '--aux-chain-id', '1405'], { timeoutMs: 30_000 });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/mosaic-config .*missing\.json does not exist/);
  });
});
