import { expect } from 'chai';
import { ChainClient } from '../../src/chain/chain-client';
import { WorkerPool } from '../../src/facilitation/worker-pool';
import { FakeJsonRpc } from '../fakes/fake-json-rpc';

const A = `0x${'a1'.repeat(20)}`;
const B = `0x${'b2'.repeat(20)}`;

describe('worker pool', () => {
  function pool(balances: Record<string, bigint>): WorkerPool {
    const rpc = new FakeJsonRpc(7);
    for (const [worker, balance] of Object.entries(balances)) rpc.balances.set(worker, balance);
    return new WorkerPool([A, B], new ChainClient(rpc, 7));
  }

  it('spreads concurrent choices over the workers in turn (a burst of accepts does not all land on one)', async () => {
    const shared = pool({ [A]: 10n, [B]: 10n });
    const burst = await Promise.all(Array.from({ length: 6 }, () => shared.choose({ minGasBalance: 1n })));
    expect(burst).to.deep.equal([A, B, A, B, A, B]);
  });

  it('passes over a worker short of gas', async () => {
    const shared = pool({ [A]: 0n, [B]: 10n });
    const burst = await Promise.all(Array.from({ length: 3 }, () => shared.choose({ minGasBalance: 1n })));
    expect(burst).to.deep.equal([B, B, B]);
    expect(await pool({ [A]: 0n, [B]: 0n }).choose({ minGasBalance: 1n })).to.equal(undefined);
  });
});
