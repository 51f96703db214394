import { expect } from 'chai';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deploySubgraph, graphCreateArgs, graphDeployArgs } from '../../src/subgraph/deploy';
import { builtTestSubgraphs } from './built-subgraphs';

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface JsonRpcRequest {
  method: string;
  params: unknown;
  id: unknown;
}

/** Answers graph-node admin JSON-RPC calls with `subgraph already exists`, recording them. */
async function fakeGraphNode(requests: JsonRpcRequest[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = JSON.parse(body) as JsonRpcRequest;
      requests.push(request);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jsonrpc: '2.0', id: request.id, error: { code: -32000, message: 'subgraph name already exists: mosaic/origin-1405' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

describe('deploySubgraph (graph create + graph deploy)', function () {
  this.timeout(120_000);

  it('builds graph-cli arguments for create and deploy', () => {
    const options = { buildDir: '/x/origin/build', name: 'mosaic/origin-1405', node: 'http://127.0.0.1:8020', ipfs: 'http://127.0.0.1:5001', versionLabel: 'v0.1.0' };
    expect(graphCreateArgs(options)).to.deep.equal(['create', '--node', 'http://127.0.0.1:8020', 'mosaic/origin-1405']);
    expect(graphDeployArgs(options)).to.deep.equal([
      'deploy',
      'mosaic/origin-1405',
      'subgraph.yaml',
      '--node',
      'http://127.0.0.1:8020',
      '--ipfs',
      'http://127.0.0.1:5001',
      '--version-label',
      'v0.1.0',
      '--output-dir',
      '/x/origin/build',
    ]);
    expect(graphDeployArgs({ ...options, deployKey: 'k' }).slice(-2)).to.deep.equal(['--deploy-key', 'k']);
  });

  it('refuses a folder that is not a build from buildSubgraphs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'subgraph-deploy-empty-'));
    try {
      await deploySubgraph({ buildDir: join(dir, 'build'), name: 'a/b', node: 'http://127.0.0.1:1', ipfs: 'http://127.0.0.1:1', versionLabel: 'v1' }).then(
        () => expect.fail('should reject'),
        (error: Error) => expect(error.message).to.contain('is not a build folder from buildSubgraphs'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('against real sockets', () => {
    let workDir: string;
    let buildDir: string;

    before(async () => {
      const built = await builtTestSubgraphs();
      // A private copy: graph deploy compiles again into the build folder.
      workDir = mkdtempSync(join(tmpdir(), 'subgraph-deploy-'));
      cpSync(built.origin.sourceDir, join(workDir, 'origin'), { recursive: true, filter: (src) => !src.endsWith('/build') });
      buildDir = join(workDir, 'origin', 'build');
    });

    after(() => rmSync(workDir, { recursive: true, force: true }));

    it('says graph-node cannot be reached when the connection is refused', async () => {
      const port = await closedPort();
      const node = `http://127.0.0.1:${port}`;
      const started = Date.now();
      const error = await deploySubgraph({ buildDir, name: 'mosaic/origin-1405', node, ipfs: node, versionLabel: 'v1' }).then(
        () => expect.fail('should reject'),
        (e: Error) => e,
      );
      expect(error.message).to.contain(`deploying subgraph mosaic/origin-1405: cannot reach graph-node at ${node} (connection refused): is it running?`);
      expect(error.message).to.contain('ECONNREFUSED');
      expect(Date.now() - started).to.be.below(15_000);
    });

    it('names graph-node with its credentials redacted', async () => {
      const key = '9aa3d95b3bc440fa88ea12eaa4456161';
      const node = `http://deployer:hunter2@127.0.0.1:${await closedPort()}/v3/${key}`;
      const error = await deploySubgraph({ buildDir, name: 'mosaic/origin-1405', node, ipfs: node, versionLabel: 'v1' }).then(
        () => expect.fail('should reject'),
        (e: Error) => e,
      );
      expect(error.message).to.contain('cannot reach graph-node at http://deployer:***@127.0.0.1:');
      expect(error.message).not.to.contain(key).and.not.to.contain('hunter2');
    });

    it('goes on when the name already exists, compiles, and says IPFS cannot be reached', async () => {
      const requests: JsonRpcRequest[] = [];
      const { server, url } = await fakeGraphNode(requests);
      try {
        const ipfs = `http://127.0.0.1:${await closedPort()}`;
        const error = await deploySubgraph({ buildDir, name: 'mosaic/origin-1405', node: url, ipfs, versionLabel: 'v1' }).then(
          () => expect.fail('should reject'),
          (e: Error) => e,
        );
        expect(requests.map((r) => [r.method, r.params])).to.deep.equal([['subgraph_create', { name: 'mosaic/origin-1405' }]]);
        expect(error.message).to.contain(`deploying subgraph mosaic/origin-1405: cannot upload the subgraph to IPFS at ${ipfs}`);
        expect(error.message).to.contain('Failed to upload subgraph to IPFS');
      } finally {
        server.close();
      }
    });
  });
});
