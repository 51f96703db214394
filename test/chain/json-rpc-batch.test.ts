import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChainClient } from '../../src/chain/chain-client';
import { HttpJsonRpc } from '../../src/chain/json-rpc';
import { UnknownBlockError, UnknownNodeError } from '../../src/chain/node-errors';

interface Call {
  id: number;
  method: string;
  params: unknown[];
}

const block = (n: number) => ({ number: `0x${n.toString(16)}`, hash: `0x${n.toString(16).padStart(64, '0')}`, parentHash: `0x${(n - 1).toString(16).padStart(64, '0')}`, timestamp: '0x1' });

/** A node on a real socket: each HTTP request's body goes to `answer`, which returns the JSON to send. */
async function node(answer: (body: Call | Call[]) => unknown): Promise<{ server: Server; url: string; bodies: Array<Call | Call[]> }> {
  const bodies: Array<Call | Call[]> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as Call | Call[];
      bodies.push(body);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

/** Answers eth_getBlockByNumber for blocks up to `head` (null above), in reverse order for batches (ids match them up). */
const chainUpTo = (head: number) => (body: Call | Call[]) => {
  const one = (call: Call) => ({ jsonrpc: '2.0', id: call.id, result: Number(call.params[0]) <= head ? block(Number(call.params[0])) : null });
  return Array.isArray(body) ? body.map(one).reverse() : one(body);
};

describe('JSON-RPC batches: block headers in one request', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });
  const serve = async (answer: (body: Call | Call[]) => unknown) => {
    const made = await node(answer);
    servers.push(made.server);
    return made;
  };

  it('sends the calls as one batch and returns the results in the calls\' order, matched by id', async () => {
    const { url, bodies } = await serve(chainUpTo(500));
    const blocks = await new ChainClient(new HttpJsonRpc(url), 1).getBlocks([3n, 9n, 4n]);
    expect(blocks.map((b) => b.number)).to.deep.equal(['0x3', '0x9', '0x4']);
    expect(bodies).to.have.length(1);
    expect((bodies[0] as Call[]).map((c) => c.method)).to.deep.equal(['eth_getBlockByNumber', 'eth_getBlockByNumber', 'eth_getBlockByNumber']);
  });

  it('asks for at most 100 blocks per batch', async () => {
    const { url, bodies } = await serve(chainUpTo(500));
    const numbers = Array.from({ length: 250 }, (_, i) => BigInt(i + 1));
    const blocks = await new ChainClient(new HttpJsonRpc(url), 1).getBlocks(numbers);
    expect(blocks.map((b) => BigInt(b.number))).to.deep.equal(numbers);
    expect(bodies.map((b) => (b as Call[]).length)).to.have.members([100, 100, 50]);
  });

  it('a block the node does not have fails with UnknownBlockError, a call\'s error object with its class', async () => {
    const { url } = await serve(chainUpTo(5));
    const failure = await new ChainClient(new HttpJsonRpc(url), 1).getBlocks([4n, 6n]).catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(UnknownBlockError);
    const { url: failing } = await serve((body) => (body as Call[]).map((c) => ({ jsonrpc: '2.0', id: c.id, error: { code: -32000, message: 'something broke' } })));
    const error = await new HttpJsonRpc(failing).batch([{ method: 'eth_getBlockByNumber', params: ['0x1', false] }]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(UnknownNodeError);
    expect((error as Error).message).to.contain('something broke');
  });

  it('falls back to one request per block, for good, when the node refuses batches', async () => {
    const { url, bodies } = await serve((body) => (Array.isArray(body) ? { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'batch requests are not supported' } } : chainUpTo(50)(body)));
    const client = new ChainClient(new HttpJsonRpc(url), 1);
    expect((await client.getBlocks([1n, 2n])).map((b) => b.number)).to.deep.equal(['0x1', '0x2']);
    expect((await client.getBlocks([3n, 4n])).map((b) => b.number)).to.deep.equal(['0x3', '0x4']);
    expect(bodies.map((b) => (Array.isArray(b) ? 'batch' : 'single'))).to.deep.equal(['batch', 'single', 'single', 'single', 'single']);
  });
});
