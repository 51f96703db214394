import { expect } from 'chai';
import { gql } from '@apollo/client/core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SubgraphClient } from '../../src/streams/subgraph-client';

/** A graph-node on loopback: answers `_meta` with its head and any other query with its own name, or an HTTP status. */
class FakeGraphNode {
  head = 100;
  status = 200;
  graphqlError = false;
  readonly queries: string[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly name: string,
  ) {}

  static async start(name: string): Promise<FakeGraphNode> {
    const created: { node?: FakeGraphNode } = {};
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => created.node!.answer((JSON.parse(body) as { query: string }).query, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const node = new FakeGraphNode(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/subgraphs/name/test`, name);
    created.node = node;
    return node;
  }

  private answer(query: string, res: import('node:http').ServerResponse): void {
    res.statusCode = this.status;
    res.setHeader('content-type', 'application/json');
    if (this.status !== 200) return void res.end('{}');
    if (query.includes('_meta')) {
      return void res.end(JSON.stringify({ data: { _meta: { block: { number: this.head, hash: '0x01' }, hasIndexingErrors: false } } }));
    }
    this.queries.push(query);
    if (this.graphqlError) return void res.end(JSON.stringify({ errors: [{ message: 'Store error: no such entity' }] }));
    res.end(JSON.stringify({ data: { node: this.name } }));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const WHO = gql`
  query Who {
    node
  }
`;

describe('SubgraphClient over several graph-nodes', () => {
  let nodes: FakeGraphNode[] = [];
  const clients: SubgraphClient[] = [];
  beforeEach(async () => {
    nodes = [await FakeGraphNode.start('first'), await FakeGraphNode.start('second')];
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    for (const node of nodes) await node.close();
  });
  const client = () => {
    const made = new SubgraphClient({
      name: 'origin',
      http: nodes.map((n) => n.url),
      timeoutMs: 500,
      failover: { maxLagBlocks: 5, healthCheckIntervalMs: 3_600_000, probeTimeoutMs: 300 },
    });
    clients.push(made);
    return made;
  };
  const who = async (subgraph: SubgraphClient) => (await subgraph.query<{ node: string }>(WHO)).node;

  it('sends a query to the next graph-node when the preferred one answers HTTP 503, and back once it answers', async () => {
    const subgraph = client();
    nodes[0].status = 503;
    expect(await who(subgraph)).to.equal('second');
    expect(subgraph.endpointStatus().map((e) => e.active)).to.deep.equal([false, true]);
    nodes[0].status = 200;
    await subgraph.endpoints.probe();
    expect(await who(subgraph)).to.equal('first');
  });

  it('does not fail over on a GraphQL error: the graph-node answered', async () => {
    const subgraph = client();
    nodes[0].graphqlError = true;
    let failed = false;
    await who(subgraph).catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect(nodes[1].queries).to.deep.equal([]);
    expect(subgraph.endpointStatus()[0]).to.include({ active: true, healthy: true });
  });

  it('leaves a graph-node whose subgraph lags the best one by more than maxLagBlocks', async () => {
    const subgraph = client();
    nodes[0].head = 90;
    await subgraph.endpoints.probe();
    expect(await who(subgraph)).to.equal('second');
    expect(subgraph.endpointStatus()[0]).to.include({ healthy: true, lagBlocks: 10n });
  });
});
