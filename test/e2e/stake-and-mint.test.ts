import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root';
import { requestStake, type RequestedStake } from '../../src/devnet/demo-staker';
import type { Devnet } from '../../src/devnet/devnet';
import { contractInterface, Eip20CoGateway, Eip20Gateway } from '../../src/mosaic/contracts';
import { MessageStatus } from '../../src/mosaic/message-status';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';
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

function stakeFor(devnet: Devnet, staker: string, beneficiary: string): Promise<RequestedStake> {
  const pair = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
  return requestStake({
    client: devnet.origin.client,
    composer: pair.origin.ostComposerAddress,
    gateway: pair.origin.ostEIP20GatewayAddress,
    valueToken: devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress,
    staker: devnet.originSender(staker),
    beneficiary,
  });
}

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
  });
});
