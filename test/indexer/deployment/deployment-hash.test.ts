import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { deploymentHash, ipfsManifest } from '../../../src/indexer/deployment/deployment-hash';
import { CHUNK_SIZE, MAX_LINKS, unixfsFileCid } from '../../../src/indexer/deployment/unixfs-cid';
import { runGraphCli } from '../../../src/subgraph/graph-cli';
import { builtProbeSubgraph } from '../wasm/probe-subgraph';

/** Deterministic content of any length (not one repeated chunk: equal chunks would hide a chunk order mistake). */
function sample(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return bytes;
}

/** What a kubo API answers graph-cli's `add` and `pin/add` with, each upload kept; CIDs from unixfsFileCid. */
async function fakeKubo(): Promise<{ server: Server; url: string; uploads: Array<{ name: string; cid: string; content: Buffer }> }> {
  const uploads: Array<{ name: string; cid: string; content: Buffer }> = [];
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://kubo');
    if (url.pathname === '/api/v0/pin/add') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Pins: [url.searchParams.get('arg')] }));
    if (url.pathname !== '/api/v0/add') return res.writeHead(404).end();
    const form = await new Request('http://kubo/', { method: 'POST', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) }).formData();
    const lines: string[] = [];
    for (const [, value] of form.entries()) {
      const file = value as File;
      const content = Buffer.from(await file.arrayBuffer());
      const cid = unixfsFileCid(content);
      uploads.push({ name: decodeURIComponent(file.name), cid, content });
      lines.push(JSON.stringify({ Name: file.name, Hash: cid, Size: String(content.length) }));
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(`${lines.join('\n')}\n`);
  };
  const server = createServer((req, res) => void answer(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, uploads };
}

describe('deployment hash (the manifest CID graph-cli deploys)', function () {
  this.timeout(180_000);

  describe('unixfsFileCid: what `ipfs add` (kubo defaults: CIDv0, 256 KiB chunks, balanced, 174 links) gives', () => {
    it('the well-known CIDs of the empty file and of "hello world\\n"', () => {
      expect(unixfsFileCid(new Uint8Array(0))).to.equal('QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH');
      expect(unixfsFileCid(Buffer.from('hello world\n'))).to.equal('QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o');
    });

    // Known answers computed independently with ipfs-unixfs 11 + @ipld/dag-pb 4 + multiformats 13 (graph-cli's
    // kubo-rpc-client dependencies), joining leaves level by level: one chunk, two, five, a full first level
    // (174 leaves), one more (a second level) and 50 MB.
    const known: Array<[number, string]> = [
      [CHUNK_SIZE, 'QmRGtaHK8V8JK23yDT1tfoh2eRY9U5ix6zbiNHc9732JMo'],
      [CHUNK_SIZE + 1, 'QmcVbM5cMCqC9pvnGvnPMHThnJdMeqJ4oVsqRSqWkdHXky'],
      [1_000_000, 'QmWzesgT1sUvwBnLUhNsPFRPFYZx1sVcCvvgaS2agVHfyH'],
      [MAX_LINKS * CHUNK_SIZE, 'Qme3AVRTuvMi3KSxMYAqLUcqQUywPoFXKkxamVrH4N7BTq'],
      [MAX_LINKS * CHUNK_SIZE + 1, 'QmVZjfaRfSnMEE9akRfRuGzVHQNfcEynaJQKj8G6JMaPFd'],
      [50_000_000, 'QmNqVt6H3SU4WcYYn92b1rVD4o51HcUExjPFZJiNPBkWKU'],
    ];
    for (const [length, cid] of known) {
      it(`${length} bytes: ${cid}`, () => expect(unixfsFileCid(sample(length))).to.equal(cid));
    }
  });

  it("is the hash graph-cli's `build --ipfs` (deploy's upload) gives: the same manifest bytes, the same CID", async () => {
    const buildDir = await builtProbeSubgraph();
    const kubo = await fakeKubo();
    try {
      const { output } = await runGraphCli(['build', 'subgraph.yaml', '--output-dir', 'build', '--ipfs', kubo.url], { cwd: dirname(buildDir), timeoutMs: 170_000 });
      const uploaded = kubo.uploads.find((upload) => upload.name === 'subgraph.yaml')!;
      expect(uploaded.content.toString('utf8')).to.equal(ipfsManifest(buildDir));
      expect(output).to.include(`Build completed: ${uploaded.cid}`);
      expect(deploymentHash(buildDir)).to.equal(uploaded.cid).and.match(/^Qm[1-9A-HJ-NP-Za-km-z]{44}$/);
      // Every file the manifest names was uploaded, and the manifest links each by its CID.
      for (const upload of kubo.uploads.filter((u) => u !== uploaded)) expect(uploaded.content.toString()).to.include(`/ipfs/${upload.cid}`);
    } finally {
      kubo.server.close();
    }
  });

  it('with a deployment start block: every data source starts there, and the hash follows it', async () => {
    const buildDir = await builtProbeSubgraph();
    const manifest = ipfsManifest(buildDir, { startBlock: 77 });
    expect(manifest).to.match(/startBlock: 77\n/);
    expect(manifest).not.to.match(/startBlock: (?!77\n)/);
    expect(deploymentHash(buildDir, { startBlock: 77 })).not.to.equal(deploymentHash(buildDir));
  });
});
