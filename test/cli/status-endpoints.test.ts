import { expect } from 'chai';
import { rpcEndpointLines } from '../../src/cli/status-endpoints';

describe('facilitator status: RPC endpoint lines', () => {
  it('stars the active endpoint, says why one is down, its lag, and the failovers of its chain', () => {
    const lines = rpcEndpointLines([
      {
        chainId: 1337,
        rpcFailovers: 2,
        rpcEndpoints: [
          { endpoint: 'https://mainnet.infura.io/v3/***', active: false, healthy: false, lagBlocks: null, fault: 'RpcTimeoutError' },
          { endpoint: 'http://127.0.0.1:8545', active: true, healthy: true, lagBlocks: '0', fault: null },
          { endpoint: 'http://backup:8545', active: false, healthy: true, lagBlocks: '12', fault: null },
        ],
      },
      { chainId: 1405, rpcFailovers: 0, rpcEndpoints: [{ endpoint: 'http://aux:8545', active: true, healthy: true, lagBlocks: null, fault: null }] },
    ]);
    expect(lines).to.deep.equal([
      'rpc endpoints:',
      '  chain 1337    https://mainnet.infura.io/v3/***  down (RpcTimeoutError)  (2 failovers)',
      '              * http://127.0.0.1:8545  healthy',
      '                http://backup:8545  healthy  lag 12 blocks',
      '  chain 1405  * http://aux:8545  healthy',
    ]);
  });
});
