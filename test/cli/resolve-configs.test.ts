import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkChainIds } from '../../src/cli/resolve-configs';
import { parseFacilitatorConfig } from '../../src/config/facilitator-config';
import { facilitatorConfig, makeWorkers, ORIGIN_CHAIN_ID } from '../config/config-fixtures';

describe('RPC URLs in errors', function () {
  const key = '9aa3d95b3bc440fa88ea12eaa4456161';

  it('an RPC that does not answer is named with its key and password hidden', async function () {
    const plain = facilitatorConfig(await makeWorkers()) as { chains: Record<string, { rpc: string }> };
    plain.chains[String(ORIGIN_CHAIN_ID)].rpc = `http://op:hunter2@127.0.0.1:1/v3/${key}`;
    const config = parseFacilitatorConfig(plain, 'facilitator-config test');
    let message = '';
    try {
      await checkChainIds(config);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.contain('RPC http://op:***@127.0.0.1:1/v3/*** does not answer');
    expect(message).not.to.contain(key).and.not.to.contain('hunter2');
  });

  it('a malformed RPC URL in a config is shown redacted', async function () {
    const plain = facilitatorConfig(await makeWorkers()) as { chains: Record<string, { rpc: string }> };
    plain.chains[String(ORIGIN_CHAIN_ID)].rpc = `htp://mainnet.infura.io/v3/${key}`;
    let message = '';
    try {
      parseFacilitatorConfig(plain, 'facilitator-config test');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.contain('chains.1337.rpc: must be the JSON-RPC URL');
    expect(message).to.contain('htp://mainnet.infura.io/v3/***');
    expect(message).not.to.contain(key);
  });
});

/** A node on loopback that answers eth_chainId with `chainId`. */
async function chainNode(chainId: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { id } = JSON.parse(body) as { id: number };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jsonrpc: '2.0', id, result: `0x${chainId.toString(16)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('checkChainIds over several RPC endpoints', function () {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });
  async function configWith(origin: string[], auxiliary: string[]) {
    const plain = facilitatorConfig(await makeWorkers()) as { auxChainId: number; chains: Record<string, { rpc: string[] }> };
    plain.chains[String(ORIGIN_CHAIN_ID)].rpc = origin;
    plain.chains[String(plain.auxChainId)].rpc = auxiliary;
    return parseFacilitatorConfig(plain, 'facilitator-config test');
  }
  async function node(chainId: number): Promise<string> {
    const made = await chainNode(chainId);
    servers.push(made.server);
    return made.url;
  }

  it('accepts a chain whose fallback endpoint is down, as long as one answers with the right chain id', async function () {
    const auxChainId = (facilitatorConfig(await makeWorkers()) as { auxChainId: number }).auxChainId;
    const config = await configWith([await node(ORIGIN_CHAIN_ID), 'http://127.0.0.1:1'], [await node(auxChainId)]);
    await checkChainIds(config);
  });

  it('refuses an endpoint that answers for another chain, naming it', async function () {
    const auxChainId = (facilitatorConfig(await makeWorkers()) as { auxChainId: number }).auxChainId;
    const wrong = await node(5);
    const config = await configWith([await node(ORIGIN_CHAIN_ID), wrong], [await node(auxChainId)]);
    let message = '';
    await checkChainIds(config).catch((error: Error) => (message = error.message));
    expect(message).to.equal(`chain id mismatch: ${wrong} is chain 5, the config expects ${ORIGIN_CHAIN_ID}`);
  });

  it('refuses a chain none of whose endpoints answers, naming each', async function () {
    const config = await configWith(['http://127.0.0.1:1', 'http://127.0.0.1:2'], ['http://127.0.0.1:3']);
    let message = '';
    await checkChainIds(config).catch((error: Error) => (message = error.message));
    expect(message).to.match(/^chain 1337: none of its 2 RPC endpoints answers \(http:\/\/127\.0\.0\.1:1: .*; http:\/\/127\.0\.0\.1:2: .*\): are the nodes running\?$/);
  });
});
