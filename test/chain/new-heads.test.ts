import { expect } from 'chai';
import { acquireNewHeads, wsUrlFor } from '../../src/chain/new-heads';
import { startDevChain, type DevChain } from '../../src/devnet/anvil-chain';
import { silentLogger } from '../../src/logging/logger';

describe('newHeads', function () {
  this.timeout(30_000);

  it('finds the WebSocket counterpart of an RPC URL, keeping host, port, path and query', () => {
    expect(wsUrlFor('http://127.0.0.1:8545')).to.equal('ws://127.0.0.1:8545/');
    expect(wsUrlFor('https://node.example/v3/key?x=1')).to.equal('wss://node.example/v3/key?x=1');
    expect(wsUrlFor('wss://node.example/ws')).to.equal('wss://node.example/ws');
    expect(wsUrlFor('ipc:///tmp/geth.ipc')).to.equal(undefined);
    expect(wsUrlFor('not a url')).to.equal(undefined);
  });

  describe('on anvil', () => {
    let chain: DevChain;
    before(async () => {
      chain = await startDevChain({ chainId: 4242, port: 0, totalAccounts: 1, blockTimeMs: 0 });
    });
    after(() => chain.close());

    it('announces each new block to every user of one shared subscription', async () => {
      const first = acquireNewHeads(chain.rpcUrl, silentLogger())!;
      const second = acquireNewHeads(chain.rpcUrl, silentLogger())!;
      expect(second.heads).to.equal(first.heads);
      const seen: bigint[] = [];
      first.heads.onHead((head) => seen.push(head));
      try {
        const deadline = Date.now() + 10_000;
        while (seen.length === 0 && Date.now() < deadline) {
          await chain.client.rpc.request('evm_mine');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(seen.length).to.be.greaterThan(0);
        expect(seen[seen.length - 1]).to.equal(await chain.client.blockNumber());
      } finally {
        first.release();
        second.release();
      }
    });

    it('moves on to the next endpoint of a chain when the preferred one has no WebSocket', async () => {
      const held = acquireNewHeads({ urls: ['http://127.0.0.1:1', chain.rpcUrl] }, silentLogger())!;
      const seen: bigint[] = [];
      held.heads.onHead((head) => seen.push(head));
      try {
        const deadline = Date.now() + 10_000;
        while (seen.length === 0 && Date.now() < deadline) {
          await chain.client.rpc.request('evm_mine');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(seen.length, 'a head announced through the second endpoint').to.be.greaterThan(0);
      } finally {
        held.release();
      }
    });

    it('keeps the callers polling when the node has no WebSocket (nothing thrown, nothing announced)', async () => {
      const held = acquireNewHeads('http://127.0.0.1:1', silentLogger())!;
      let announced = 0;
      held.heads.onHead(() => announced++);
      await new Promise((resolve) => setTimeout(resolve, 300));
      held.release();
      expect(announced).to.equal(0);
    });
  });
});
