import { expect } from 'chai';
import { emptyStatusSource } from '../fakes/empty-status-source';
import { EndpointPool } from '../../src/failover/endpoint-pool';
import { redactUrl } from '../../src/logging/redact-url';
import { createMetrics } from '../../src/status/metrics';
import type { StatusSource } from '../../src/status/status-source';

const KEY = '9aa3d95b3bc440fa88ea12eaa4456161';

/** A status source with no records, whose chain 1337 has two RPC endpoints in `pool`. */
function sourceOver(pool: EndpointPool): StatusSource {
  return emptyStatusSource({ rpcEndpoints: () => [{ chainId: 1337, endpoints: pool.status(), switches: pool.switches() }] });
}

describe('metrics: RPC endpoints', () => {
  it('marks the active endpoint, counts failovers by from and to, and never shows an API key', async () => {
    const first = redactUrl(`https://mainnet.infura.io/v3/${KEY}`);
    const pool = new EndpointPool([first, 'http://127.0.0.1:8545'], { maxLagBlocks: 5 });
    const registry = createMetrics(sourceOver(pool));
    expect(await registry.metrics()).to.contain(`facilitator_rpc_endpoint_active{chain_id="1337",endpoint="${first}"} 1`);

    pool.fault(0, 'RpcTimeoutError');
    pool.probed(1, { head: 10n });
    const text = await registry.metrics();
    expect(text).to.contain(`facilitator_rpc_endpoint_active{chain_id="1337",endpoint="${first}"} 0`);
    expect(text).to.contain('facilitator_rpc_endpoint_active{chain_id="1337",endpoint="http://127.0.0.1:8545"} 1');
    expect(text).to.contain(`facilitator_rpc_endpoint_healthy{chain_id="1337",endpoint="${first}"} 0`);
    expect(text).to.contain('facilitator_rpc_endpoint_lag_blocks{chain_id="1337",endpoint="http://127.0.0.1:8545"} 0');
    expect(text).to.contain(`facilitator_rpc_failovers_total{chain_id="1337",from="${first}",to="http://127.0.0.1:8545"} 1`);
    expect(text).to.not.contain(KEY);
  });
});
