import { expect } from 'chai';
import type { Devnet } from '../../src/devnet/devnet';
import { scriptedStakeAndMint } from '../../src/devnet/scripted-stake-and-mint';
import { Anchor } from '../../src/mosaic/contracts';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';

describe('a devnet with two auxiliary chains', function () {
  this.timeout(120_000);
  let devnet: Devnet;

  before(async () => {
    devnet = await startTestDevnet({ auxChains: 2, stakers: 4 });
  });
  after(async () => devnet?.close());

  it('runs two chains of their own, counting up from the first id, one origin shared', async () => {
    expect(devnet.pairs.map((p) => p.info.auxChainId)).to.deep.equal([1405, 1406]);
    expect(await Promise.all(devnet.pairs.map((p) => p.auxiliary.client.getChainId()))).to.deep.equal([1405, 1406]);
    expect(devnet.pairs[0]).to.equal(devnet);
    expect(new Set(devnet.pairs.map((p) => p.origin.rpcUrl)).size).to.equal(1);
    expect(Object.keys(devnet.mosaicConfig.auxiliaryChains)).to.deep.equal(['1405', '1406']);
  });

  it('gives every pair its own contract addresses on both sides', () => {
    const [a, b] = ['1405', '1406'].map((id) => devnet.mosaicConfig.auxiliaryChains[id].contractAddresses);
    for (const key of Object.keys(a.origin) as Array<keyof typeof a.origin>) {
      expect(a.origin[key], `origin.${key}`).to.not.equal(b.origin[key]);
    }
    for (const key of Object.keys(a.auxiliary) as Array<keyof typeof a.auxiliary>) {
      expect(a.auxiliary[key], `auxiliary.${key}`).to.not.equal(b.auxiliary[key]);
    }
  });

  it('anchors each pair both ways', async () => {
    const heights = await devnet.relay.anchorOnce();
    expect(heights).to.have.length(4);
    for (const pair of devnet.pairs) {
      const addresses = pair.mosaicConfig.auxiliaryChains[String(pair.info.auxChainId)].contractAddresses;
      expect(await new Anchor(pair.auxiliary.client, addresses.auxiliary.anchorAddress).latestStateRootBlockHeight() > 0n).to.equal(true);
      expect(await new Anchor(pair.origin.client, addresses.origin.anchorAddress).latestStateRootBlockHeight() > 0n).to.equal(true);
    }
  });

  it('stakes and mints through each pair', async () => {
    const stakers = addressesWithRole(devnet, 'staker');
    const [worker] = addressesWithRole(devnet, 'worker');
    for (const [index, pair] of devnet.pairs.entries()) {
      const beneficiary = `0x00000000000000000000000000000000000a0${index}01`;
      const result = await scriptedStakeAndMint(pair, { staker: stakers[index], worker, beneficiary });
      expect(result.receipts.progressMint.status).to.equal('0x1');
      expect(await pair.auxiliary.client.getBalance(beneficiary) > 0n).to.equal(true);
    }
  });
});
