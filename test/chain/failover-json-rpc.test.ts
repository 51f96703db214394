import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FailoverJsonRpc } from '../../src/chain/failover-json-rpc';
import {
  ExecutionRevertedError,
  NonceTooLowError,
  RateLimitedError,
  RpcTimeoutError,
  RpcTransportError,
  TransactionAlreadyKnownError,
} from '../../src/chain/node-errors';
import type { EndpointSwitch } from '../../src/failover/endpoint-pool';

const CHAIN_ID = 1337;
const KEY = '9aa3d95b3bc440fa88ea12eaa4456161';

/** How a fake node answers: normally, with an HTTP status, never, or with a node error object for some methods. */
type Behaviour = { kind: 'up' } | { kind: 'status'; status: number } | { kind: 'hang' } | { kind: 'error'; methods: string[]; code: number; message: string };

/** A JSON-RPC node on a real loopback socket whose behaviour and head a test changes. */
class FakeNode {
  behaviour: Behaviour = { kind: 'up' };
  head = 100n;
  chainId = CHAIN_ID;
  readonly calls: string[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Calls other than the health probes' (eth_chainId, eth_blockNumber). */
  get requests(): string[] {
    return this.calls.filter((method) => method !== 'eth_chainId' && method !== 'eth_blockNumber');
  }

  static async start(): Promise<FakeNode> {
    const created: { node?: FakeNode } = {};
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const parsed = JSON.parse(body) as { id: number; method: string } | Array<{ id: number; method: string }>;
        if (Array.isArray(parsed)) created.node!.answerBatch(parsed, res);
        else created.node!.answer(parsed, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const node = new FakeNode(server, `http://127.0.0.1:${port}/v3/${KEY}`);
    created.node = node;
    return node;
  }

  /** A JSON-RPC batch: every call answered in one list (or the node's fault for the whole request). */
  answerBatch(requests: Array<{ id: number; method: string }>, res: import('node:http').ServerResponse): void {
    if (this.behaviour.kind !== 'up') return this.answer(requests[0], res);
    this.calls.push(...requests.map((request) => request.method));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(requests.map((request) => ({ jsonrpc: '2.0', id: request.id, result: this.resultOf(request.method) }))));
  }

  private resultOf(method: string): string | null {
    const results: Record<string, string> = {
      eth_chainId: `0x${this.chainId.toString(16)}`,
      eth_blockNumber: `0x${this.head.toString(16)}`,
      eth_sendRawTransaction: `0x${'ab'.repeat(32)}`,
      eth_gasPrice: '0x1',
    };
    return results[method] ?? null;
  }

  answer(request: { id: number; method: string }, res: import('node:http').ServerResponse): void {
    this.calls.push(request.method);
    const behaviour = this.behaviour;
    if (behaviour.kind === 'hang') return;
    if (behaviour.kind === 'status') {
      res.statusCode = behaviour.status;
      return void res.end('busy');
    }
    res.setHeader('content-type', 'application/json');
    if (behaviour.kind === 'error' && behaviour.methods.includes(request.method)) {
      return void res.end(JSON.stringify({ jsonrpc: '2.0', id: request.id, error: { code: behaviour.code, message: behaviour.message } }));
    }
    res.end(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: this.resultOf(request.method) }));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('FailoverJsonRpc: several endpoints of one chain', function () {
  let nodes: FakeNode[] = [];
  let switches: EndpointSwitch[] = [];
  const rpcOver = (count = nodes.length, overrides: { healthCheckIntervalMs?: number; timeoutMs?: number } = {}) =>
    new FailoverJsonRpc(
      nodes.slice(0, count).map((node) => node.url),
      {
        chainId: CHAIN_ID,
        timeoutMs: overrides.timeoutMs ?? 2_000,
        maxLagBlocks: 5,
        // Probes only when a test asks (probe()), unless it sets an interval.
        healthCheckIntervalMs: overrides.healthCheckIntervalMs ?? 3_600_000,
        probeTimeoutMs: 300,
        onSwitch: (change) => switches.push(change),
      },
    );

  beforeEach(async () => {
    nodes = [await FakeNode.start(), await FakeNode.start()];
    switches = [];
  });
  afterEach(async () => {
    for (const node of nodes) await node.close();
  });

  async function failure(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('the call did not fail');
  }

  it('fails over when the preferred endpoint is unreachable (connection refused), and says so without the API key', async () => {
    const rpc = rpcOver();
    await rpc.probe();
    await nodes[0].close();
    expect(await rpc.request('eth_blockNumber')).to.equal('0x64');
    const [first, second] = rpc.endpoints();
    expect(first).to.include({ active: false, healthy: false, fault: 'RpcTransportError' });
    expect(second).to.include({ active: true, healthy: true });
    expect(switches).to.have.length(1);
    expect(JSON.stringify([switches, rpc.endpoints(), rpc.switches()], (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).to.not.contain(KEY);
    expect(switches[0].reason).to.match(/^RpcTransportError on http:\/\/127\.0\.0\.1:\d+\/v3\/\*\*\*$/);
  });

  it('sends a JSON-RPC batch to the endpoint in use and fails it over like a single call', async () => {
    const rpc = rpcOver();
    await rpc.probe();
    await nodes[0].close();
    const calls = [{ method: 'eth_blockNumber', params: [] }, { method: 'eth_chainId', params: [] }];
    expect(await rpc.batch<string>(calls)).to.deep.equal(['0x64', `0x${CHAIN_ID.toString(16)}`]);
    expect(rpc.endpoints()[1]).to.include({ active: true });
  });

  for (const [what, behaviour, errorClass] of [
    ['an HTTP 503', { kind: 'status', status: 503 }, RpcTransportError],
    ['a rate limit (HTTP 429)', { kind: 'status', status: 429 }, RateLimitedError],
    ['no answer in time', { kind: 'hang' }, RpcTimeoutError],
  ] as const) {
    it(`fails over on ${what}, and the call is answered by the next endpoint`, async () => {
      nodes[0].behaviour = behaviour;
      const rpc = rpcOver(2, { timeoutMs: 300 });
      expect(await rpc.request('eth_gasPrice')).to.equal('0x1');
      expect(nodes[1].requests).to.deep.equal(['eth_gasPrice']);
      expect(rpc.endpoints()[0]).to.include({ healthy: false, fault: errorClass.name });
      expect(rpc.switches()).to.deep.equal([{ from: rpc.endpoints()[0].endpoint, to: rpc.endpoints()[1].endpoint, count: 1 }]);
    });
  }

  it('does not fail over on a revert or a nonce too low: the answer is the chain\'s, the same on every endpoint', async () => {
    nodes[0].behaviour = { kind: 'error', methods: ['eth_call'], code: 3, message: 'execution reverted: Message on source must be Declared' };
    const rpc = rpcOver();
    expect(await failure(rpc.request('eth_call', [{ to: '0x01', data: '0x' }, 'latest']))).to.be.instanceOf(ExecutionRevertedError);
    nodes[0].behaviour = { kind: 'error', methods: ['eth_sendRawTransaction'], code: -32000, message: 'nonce too low' };
    expect(await failure(rpc.request('eth_sendRawTransaction', ['0x02']))).to.be.instanceOf(NonceTooLowError);
    expect(nodes[1].requests, 'the second endpoint was never asked').to.deep.equal([]);
    expect(rpc.endpoints()[0]).to.include({ active: true, healthy: true });
    expect(switches).to.deep.equal([]);
  });

  it('sends a raw transaction again to the next endpoint when the first is down; a duplicate ("already known") is returned as that class', async () => {
    const rpc = rpcOver();
    nodes[0].behaviour = { kind: 'status', status: 502 };
    expect(await rpc.request('eth_sendRawTransaction', ['0x02'])).to.equal(`0x${'ab'.repeat(32)}`);
    expect(nodes[0].requests).to.deep.equal(['eth_sendRawTransaction']);
    expect(nodes[1].requests).to.deep.equal(['eth_sendRawTransaction']);
    nodes[1].behaviour = { kind: 'error', methods: ['eth_sendRawTransaction'], code: -32000, message: 'already known' };
    expect(await failure(rpc.request('eth_sendRawTransaction', ['0x02']))).to.be.instanceOf(TransactionAlreadyKnownError);
    expect(nodes[0].requests, 'the endpoint that is down is not asked while another answers').to.have.length(1);
  });

  it('leaves an endpoint whose head lags the best by more than maxLagBlocks, and comes back to it once it catches up', async () => {
    const rpc = rpcOver();
    nodes[0].head = 100n;
    nodes[1].head = 120n;
    await rpc.probe();
    expect(rpc.endpoints().map((e) => e.active)).to.deep.equal([false, true]);
    expect(rpc.endpoints()[0]).to.include({ healthy: true, lagBlocks: 20n });
    expect(switches[0].reason).to.contain('lags 20 blocks');
    await rpc.request('eth_gasPrice');
    expect(nodes[1].requests).to.include('eth_gasPrice');
    expect(nodes[0].requests).to.not.include('eth_gasPrice');
    nodes[0].head = 121n;
    await rpc.probe();
    expect(rpc.endpoints().map((e) => e.active)).to.deep.equal([true, false]);
  });

  it('returns to the preferred endpoint when its probes answer again (probes ride on calls, at most once per interval)', async () => {
    const rpc = rpcOver(2, { healthCheckIntervalMs: 100 });
    nodes[0].behaviour = { kind: 'status', status: 503 };
    await rpc.request('eth_gasPrice');
    expect(rpc.endpoints()[1].active).to.equal(true);
    nodes[0].behaviour = { kind: 'up' };
    await new Promise((resolve) => setTimeout(resolve, 150));
    await rpc.request('eth_gasPrice'); // starts a probe in the background
    await rpc.probe();
    expect(rpc.endpoints()[0]).to.include({ active: true, healthy: true });
    const probesBefore = nodes[0].calls.filter((m) => m === 'eth_chainId').length;
    await rpc.request('eth_gasPrice');
    await rpc.request('eth_gasPrice');
    expect(nodes[0].calls.filter((m) => m === 'eth_chainId').length, 'no probe within the interval').to.equal(probesBefore);
    expect(rpc.switches().map((s) => s.count)).to.deep.equal([1, 1]);
  });

  it('never uses an endpoint that answers for another chain', async () => {
    nodes[0].chainId = 5;
    const rpc = rpcOver();
    await rpc.probe();
    await rpc.request('eth_gasPrice');
    expect(nodes[0].requests).to.not.include('eth_gasPrice');
    expect(rpc.endpoints()[0]).to.include({ healthy: false, fault: 'WrongChainId 5', active: false });
  });

  it('throws the last endpoint fault when every endpoint is down; a single endpoint throws its own error as without failover', async () => {
    nodes[0].behaviour = { kind: 'status', status: 503 };
    nodes[1].behaviour = { kind: 'status', status: 500 };
    const error = await failure(rpcOver().request('eth_gasPrice'));
    expect(error).to.be.instanceOf(RpcTransportError);
    expect(error.message).to.contain('HTTP 500');
    const single = await failure(rpcOver(1).request('eth_gasPrice'));
    expect(single).to.be.instanceOf(RpcTransportError);
    expect(single.message).to.contain('HTTP 503').and.not.contain(KEY);
  });
});
