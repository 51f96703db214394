import { expect } from 'chai';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { writeAbis } from '../../src/subgraph/abis';
import { buildSubgraphDir, buildSubgraphs, type BuiltSubgraph } from '../../src/subgraph/build';
import { SUBGRAPH_DATA_SOURCES, SUBGRAPH_SIDES, subgraphSourceDir, type SubgraphSide } from '../../src/subgraph/sides';
import { builtTestSubgraphs, sampleMosaicConfig, SAMPLE_AUX_CHAIN_ID } from './built-subgraphs';

interface BuiltManifest {
  dataSources: Array<{ name: string; network: string; source: { address: string; startBlock: number }; mapping: { file: string } }>;
}

describe('buildSubgraphs (graph-cli codegen + build, offline)', function () {
  this.timeout(240_000);
  let built: Record<SubgraphSide, BuiltSubgraph>;

  before(async () => {
    built = await builtTestSubgraphs();
  });

  it('builds both sides for the deployment of the mosaic-config', () => {
    const expected = {
      origin: { network: 'mosaic-origin', startBlock: 12, addresses: ['0xccccccccccccccccccccccccccccccccccccccc3', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2', '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1'] },
      auxiliary: { network: 'mosaic-aux-1405', startBlock: 34, addresses: ['0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee5', '0xddddddddddddddddddddddddddddddddddddddd4', '0xfffffffffffffffffffffffffffffffffffffff6'] },
    };
    for (const side of SUBGRAPH_SIDES) {
      const subgraph = built[side];
      expect(subgraph.side).to.equal(side);
      expect(subgraph.network).to.equal(expected[side].network);
      expect(subgraph.manifestPath).to.equal(join(subgraph.buildDir, 'subgraph.yaml'));
      const manifest = parseYaml(readFileSync(subgraph.manifestPath, 'utf8')) as BuiltManifest;
      expect(manifest.dataSources.map((ds) => ds.name)).to.deep.equal(SUBGRAPH_DATA_SOURCES[side].map((ds) => ds.name));
      expect(manifest.dataSources.map((ds) => ds.source.address.toLowerCase())).to.deep.equal(expected[side].addresses);
      for (const ds of manifest.dataSources) {
        expect(ds.network).to.equal(expected[side].network);
        expect(ds.source.startBlock).to.equal(expected[side].startBlock);
        expect(ds.mapping.file).to.equal(`${ds.name}/${ds.name}.wasm`);
        const wasm = readFileSync(join(subgraph.buildDir, ds.mapping.file));
        expect(wasm.subarray(0, 4).toString('hex'), 'WASM magic').to.equal('0061736d');
        expect(existsSync(join(subgraph.buildDir, ds.name, `${ds.name}.json`)), 'ABI next to the wasm').to.equal(true);
      }
      expect(existsSync(join(subgraph.buildDir, 'schema.graphql'))).to.equal(true);
      // graph deploy compiles the source copy again: it must carry the deployment too.
      const source = parseYaml(readFileSync(join(subgraph.sourceDir, 'subgraph.yaml'), 'utf8')) as BuiltManifest;
      expect(source.dataSources.map((ds) => [ds.network, ds.source.address.toLowerCase(), ds.source.startBlock])).to.deep.equal(
        expected[side].addresses.map((a) => [expected[side].network, a, expected[side].startBlock]),
      );
      expect(JSON.parse(readFileSync(join(subgraph.sourceDir, 'networks.json'), 'utf8'))).to.have.keys(expected[side].network);
    }
  });

  it('leaves the sources in git untouched (placeholders stay)', () => {
    for (const side of SUBGRAPH_SIDES) {
      const manifest = parseYaml(readFileSync(join(subgraphSourceDir(side), 'subgraph.yaml'), 'utf8')) as BuiltManifest;
      for (const ds of manifest.dataSources) expect(ds.source.address).to.equal('0x0000000000000000000000000000000000000000');
    }
  });

  it('refuses a mosaic-config without aux chain id, or one without that chain, before running graph-cli', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'subgraph-build-bad-'));
    try {
      const started = Date.now();
      await expectRejection(buildSubgraphs({ mosaicConfig: sampleMosaicConfig(), outDir }), 'buildSubgraphs: auxChainId is required with a mosaicConfig');
      await expectRejection(buildSubgraphs({ mosaicConfig: sampleMosaicConfig(), auxChainId: SAMPLE_AUX_CHAIN_ID + 1, outDir }), 'has no auxiliary chain 1406');
      expect(Date.now() - started).to.be.below(1000);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('reports the AssemblyScript error when a mapping does not compile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'subgraph-build-broken-'));
    try {
      for (const entry of ['subgraph.yaml', 'schema.graphql', 'src']) cpSync(join(subgraphSourceDir('origin'), entry), join(dir, entry), { recursive: true });
      writeAbis('origin', dir);
      appendFileSync(join(dir, 'src', 'anchor.ts'), '\nexport function broken(): void { const x: i32 = notDefinedAnywhere; }\n');
      await expectRejection(buildSubgraphDir(dir), 'notDefinedAnywhere');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function expectRejection(promise: Promise<unknown>, message: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).to.contain(message);
    return;
  }
  expect.fail(`expected a rejection with ${message}`);
}
