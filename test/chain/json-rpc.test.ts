import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpJsonRpc } from '../../src/chain/json-rpc';
import {
  InsufficientFundsError,
  NodeError,
  RateLimitedError,
  RpcTimeoutError,
  RpcTransportError,
} from '../../src/chain/node-errors';

const KEY = '9aa3d95b3bc440fa88ea12eaa4456161';

/** A JSON-RPC endpoint on a real socket that answers every request with `answer`. */
async function endpoint(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://user:hunter2@127.0.0.1:${port}/v3/${KEY}?apikey=${KEY}` };
}

async function failure(rpc: HttpJsonRpc, timeoutMs?: number): Promise<NodeError> {
  try {
    await rpc.request('eth_blockNumber', [], { timeoutMs });
  } catch (error) {
    expect(error).to.be.instanceOf(NodeError);
    return error as NodeError;
  }
  throw new Error('the call did not fail');
}

/** No part of the URL's credentials in the error's message, stack, details or JSON. */
function expectNoSecrets(error: NodeError): void {
  for (const text of [error.message, error.stack ?? '', JSON.stringify(error.details), JSON.stringify(error), String(error.cause)]) {
    expect(text).to.not.contain(KEY);
    expect(text).to.not.contain('hunter2');
  }
}

describe('JSON-RPC over HTTP: every failure a classified NodeError that names the endpoint without its key', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });
  const serve = async (answer: (req: IncomingMessage, res: ServerResponse) => void) => {
    const made = await endpoint(answer);
    servers.push(made.server);
    return new HttpJsonRpc(made.url);
  };

  it('turns a node error object into its class (and sends the URL\'s credentials as basic auth, never in the request line)', async () => {
    let authorization: string | undefined;
    const rpc = await serve((req, res) => {
      authorization = req.headers.authorization;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32003, message: 'Insufficient funds for gas * price + value' } }));
    });
    const error = await failure(rpc);
    expect(error).to.be.instanceOf(InsufficientFundsError);
    expect(error.code).to.equal(-32003);
    expectNoSecrets(error);
    expect(authorization).to.equal(`Basic ${Buffer.from('user:hunter2').toString('base64')}`);
  });

  it('answers HTTP 429 with RateLimitedError and HTTP 503 with a retryable RpcTransportError', async () => {
    let status = 429;
    const rpc = await serve((_req, res) => {
      res.statusCode = status;
      res.end('busy');
    });
    const limited = await failure(rpc);
    expect(limited).to.be.instanceOf(RateLimitedError);
    expect(limited.message).to.match(/^eth_blockNumber: HTTP 429 from http:\/\/[^:@/]+:\*\*\*@127\.0\.0\.1:\d+\/v3\/\*\*\*\?apikey=\*\*\*$/);
    expectNoSecrets(limited);
    status = 503;
    const down = await failure(rpc);
    expect(down).to.be.instanceOf(RpcTransportError);
    expect(down.retryable).to.equal(true);
  });

  it('answers a body that is not JSON with RpcTransportError', async () => {
    const rpc = await serve((_req, res) => res.end('<html>bad gateway</html>'));
    const error = await failure(rpc);
    expect(error).to.be.instanceOf(RpcTransportError);
    expectNoSecrets(error);
  });

  it('answers silence with RpcTimeoutError', async () => {
    const rpc = await serve(() => undefined);
    const error = await failure(rpc, 100);
    expect(error).to.be.instanceOf(RpcTimeoutError);
    expect(error.message).to.equal('eth_blockNumber: no answer within 100 ms');
  });

  it('asks again on a fresh connection when the node closed a kept-alive one as it was reused, and only once', async () => {
    const sockets = new Set<unknown>();
    let requests = 0;
    const rpc = await serve((req, res) => {
      requests += 1;
      const reused = sockets.has(req.socket);
      sockets.add(req.socket);
      if (reused) {
        req.socket.destroy(); // the node dropped the idle connection just as the call came
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: '0x2a' }));
    });
    expect(await rpc.request('eth_blockNumber')).to.equal('0x2a');
    expect(await rpc.request('eth_blockNumber'), 'answered on a new connection').to.equal('0x2a');
    expect(requests).to.equal(3);
    expect(sockets.size).to.equal(2);
  });

  it('answers a refused connection with a retryable RpcTransportError saying it cannot reach the endpoint', async () => {
    const made = await endpoint(() => undefined);
    await new Promise((resolve) => made.server.close(resolve));
    const error = await failure(new HttpJsonRpc(made.url));
    expect(error).to.be.instanceOf(RpcTransportError);
    expect(error.retryable).to.equal(true);
    expect(error.message).to.match(/cannot reach http:\/\/[^:@/]+:\*\*\*@127\.0\.0\.1:\d+\/v3\/\*\*\*/);
    expectNoSecrets(error);
  });
});
