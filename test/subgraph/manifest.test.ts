import { expect } from 'chai';
import { defaultNetworkNames, sideNetwork, subgraphNetworks } from '../../src/subgraph/manifest';
import { SAMPLE_AUX_CHAIN_ID, sampleMosaicConfig } from './built-subgraphs';

describe('subgraph networks.json from a mosaic-config', () => {
  it('gives every data source of both sides its address (lowercase) and the side start block', () => {
    const networks = subgraphNetworks(sampleMosaicConfig(), SAMPLE_AUX_CHAIN_ID);
    expect(networks.origin).to.deep.equal({
      network: 'mosaic-origin',
      networks: {
        'mosaic-origin': {
          OSTComposer: { address: '0xccccccccccccccccccccccccccccccccccccccc3', startBlock: 12 },
          EIP20Gateway: { address: '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2', startBlock: 12 },
          Anchor: { address: '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1', startBlock: 12 },
        },
      },
    });
    expect(networks.auxiliary).to.deep.equal({
      network: 'mosaic-aux-1405',
      networks: {
        'mosaic-aux-1405': {
          EIP20CoGateway: { address: '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee5', startBlock: 34 },
          Anchor: { address: '0xddddddddddddddddddddddddddddddddddddddd4', startBlock: 34 },
          RedeemPool: { address: '0xfffffffffffffffffffffffffffffffffffffff6', startBlock: 34 },
        },
      },
    });
  });

  it('uses the network names it is given', () => {
    expect(defaultNetworkNames(7)).to.deep.equal({ origin: 'mosaic-origin', auxiliary: 'mosaic-aux-7' });
    const networks = subgraphNetworks(sampleMosaicConfig(), SAMPLE_AUX_CHAIN_ID, { origin: 'mainnet', auxiliary: 'ost-aux' });
    expect(Object.keys(networks.origin.networks)).to.deep.equal(['mainnet']);
    expect(networks.auxiliary.network).to.equal('ost-aux');
    expect(sideNetwork(sampleMosaicConfig(), SAMPLE_AUX_CHAIN_ID, 'auxiliary', 'x').networks.x.RedeemPool.startBlock).to.equal(34);
  });

  it('names what is wrong in the mosaic-config', () => {
    expect(() => subgraphNetworks(sampleMosaicConfig(), 99)).to.throw('mosaic-config has no auxiliary chain 99 (it has: 1405)');
    expect(() => subgraphNetworks({ ...sampleMosaicConfig(), version: 2 }, SAMPLE_AUX_CHAIN_ID)).to.throw(/version 2 is not supported/);

    const badAddress = sampleMosaicConfig();
    badAddress.auxiliaryChains['1405'].contractAddresses.auxiliary.redeemPoolAddress = '0x1234';
    expect(() => subgraphNetworks(badAddress, SAMPLE_AUX_CHAIN_ID)).to.throw(
      'mosaic-config auxiliaryChains.1405.contractAddresses.auxiliary.redeemPoolAddress must be an address, got 0x1234',
    );

    const badStart = sampleMosaicConfig();
    badStart.auxiliaryChains['1405'].startBlocks = { origin: -1, auxiliary: 0 };
    expect(() => subgraphNetworks(badStart, SAMPLE_AUX_CHAIN_ID)).to.throw('startBlocks.origin must be a block number, got -1');

    const noAddresses = sampleMosaicConfig() as unknown as { auxiliaryChains: Record<string, { contractAddresses: unknown }> };
    noAddresses.auxiliaryChains['1405'].contractAddresses = {};
    expect(() => subgraphNetworks(noAddresses as never, SAMPLE_AUX_CHAIN_ID)).to.throw(/contractAddresses\.origin\.ostComposerAddress must be an address, got undefined/);
  });
});
