import { expect } from 'chai';
import { EndpointPool, type EndpointSwitch } from '../../src/failover/endpoint-pool';

function pool(names = ['a', 'b', 'c'], maxLagBlocks = 5) {
  const switches: EndpointSwitch[] = [];
  return { pool: new EndpointPool(names, { maxLagBlocks, onSwitch: (change) => switches.push(change) }), switches };
}

describe('EndpointPool: which endpoint is used', () => {
  it('uses the preferred endpoint while it is healthy', () => {
    const { pool: p, switches } = pool();
    p.answered(0);
    p.probed(1, { head: 10n });
    expect(p.active()).to.equal(0);
    expect(p.order()).to.deep.equal([0, 1, 2]);
    expect(switches).to.deep.equal([]);
  });

  it('fails over to the next endpoint on a fault, and tries the endpoints that are down last', () => {
    const { pool: p, switches } = pool();
    p.fault(0, 'RpcTransportError');
    expect(p.active()).to.equal(1);
    expect(p.order()).to.deep.equal([1, 2, 0]);
    expect(switches).to.deep.equal([{ from: 'a', to: 'b', reason: 'RpcTransportError on a' }]);
    expect(p.status()[0]).to.include({ healthy: false, fault: 'RpcTransportError', active: false });
  });

  it('goes back to the preferred endpoint once a probe finds it healthy', () => {
    const { pool: p, switches } = pool();
    p.fault(0, 'RpcTimeoutError');
    p.probed(0, { head: 7n });
    expect(p.active()).to.equal(0);
    expect(switches.map((s) => `${s.from}->${s.to}`)).to.deep.equal(['a->b', 'b->a']);
    expect(switches[1].reason).to.equal('a is usable again');
    expect(p.switches()).to.deep.equal([
      { from: 'a', to: 'b', count: 1 },
      { from: 'b', to: 'a', count: 1 },
    ]);
  });

  it('does not use an endpoint whose head lags the best by more than maxLagBlocks, and uses it again when it catches up', () => {
    const { pool: p, switches } = pool(['a', 'b'], 5);
    p.probed(0, { head: 100n });
    p.probed(1, { head: 105n });
    expect(p.active(), '5 blocks behind is within the limit').to.equal(0);
    p.probed(1, { head: 106n });
    expect(p.active()).to.equal(1);
    expect(switches[0].reason).to.equal('a lags 6 blocks behind the best endpoint');
    expect(p.status()[0]).to.include({ healthy: true, lagBlocks: 6n, active: false });
    p.probed(0, { head: 106n });
    expect(p.active()).to.equal(0);
  });

  it('still tries every endpoint when all are down (a single endpoint behaves as without failover)', () => {
    const { pool: p } = pool(['only']);
    p.fault(0, 'RpcTransportError');
    expect(p.order()).to.deep.equal([0]);
    const { pool: two } = pool(['a', 'b']);
    two.fault(0, 'RpcTransportError');
    two.fault(1, 'RpcTransportError');
    expect(two.order()).to.deep.equal([0, 1]);
    expect(two.active()).to.equal(0);
  });

  it('marks an endpoint healthy again when it answers a request (its last resort try worked)', () => {
    const { pool: p } = pool(['a', 'b']);
    p.fault(0, 'RpcTransportError');
    p.fault(1, 'RpcTransportError');
    p.answered(1);
    expect(p.active()).to.equal(1);
    expect(p.status()[1]).to.include({ healthy: true, fault: undefined });
  });

  it('never uses an endpoint that answers for another chain, until a probe finds it on the right one', () => {
    const { pool: p } = pool(['a', 'b']);
    p.probed(0, { wrongChain: 'WrongChainId 5' });
    expect(p.order()).to.deep.equal([1]);
    p.probed(1, { wrongChain: 'WrongChainId 5' });
    expect(p.active()).to.equal(undefined);
    p.probed(0, { head: 1n });
    expect(p.order()).to.deep.equal([0]);
  });

  it('keeps names unique when two URLs redact to the same name', () => {
    const { pool: p } = pool(['https://x/v3/***', 'https://x/v3/***']);
    expect(p.status().map((s) => s.endpoint)).to.deep.equal(['https://x/v3/***', 'https://x/v3/***#2']);
  });
});
