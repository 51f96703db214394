import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { readBuiltManifest } from '../../../src/indexer/wasm/built-manifest';
import { builtProbeSubgraph, PROBE_ADDRESS, PROBE_START_BLOCK } from './probe-subgraph';

interface Manifest {
  templates?: unknown[];
  dataSources: Array<{
    kind: string;
    source: Record<string, unknown>;
    mapping: { language: string; blockHandlers?: unknown[]; eventHandlers: Array<Record<string, unknown>> };
  }>;
}

describe('built subgraph manifest', function () {
  this.timeout(240_000);
  let dir: string;

  before(async () => {
    const buildDir = await builtProbeSubgraph();
    dir = mkdtempSync(join(tmpdir(), 'built-manifest-'));
    cpSync(buildDir, dir, { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const manifestPath = (): string => join(dir, 'subgraph.yaml');
  const original = (): Manifest => parseYaml(readFileSync(join(dir, 'subgraph.yaml.orig'), 'utf8')) as Manifest;

  before(() => cpSync(manifestPath(), join(dir, 'subgraph.yaml.orig')));

  /** Writes a changed manifest and returns readBuiltManifest's error message. */
  function errorWith(change: (manifest: Manifest) => void): string {
    const manifest = original();
    change(manifest);
    writeFileSync(manifestPath(), stringifyYaml(manifest));
    try {
      readBuiltManifest(manifestPath());
    } catch (error) {
      return (error as Error).message;
    }
    return expect.fail('readBuiltManifest should throw');
  }

  it('resolves data source, handlers, ABI events and paths', () => {
    writeFileSync(manifestPath(), stringifyYaml(original()));
    const manifest = readBuiltManifest(manifestPath());
    expect(manifest.schemaPath).to.equal(join(dir, 'schema.graphql'));
    expect(manifest.dataSources).to.have.length(1);
    const [ds] = manifest.dataSources;
    expect([ds.name, ds.network, ds.address, ds.startBlock, ds.wasmPath]).to.deep.equal(['Probe', 'probe-net', PROBE_ADDRESS, PROBE_START_BLOCK, join(dir, 'Probe', 'Probe.wasm')]);
    expect(ds.eventHandlers.map((h) => [h.handler, h.decoder.event.name])).to.deep.equal([
      ['handleProbed', 'Probed'],
      ['handleCounted', 'Counted'],
      ['handleFailed', 'Failed'],
    ]);
  });

  it('matches event signatures written across lines or without `indexed`', () => {
    const manifest = original();
    manifest.dataSources[0].mapping.eventHandlers[0].event = 'Probed(address, string,uint256,int256,bytes,\n  string,bool,uint8,bytes32[],(uint256,address))';
    writeFileSync(manifestPath(), stringifyYaml(manifest));
    expect(readBuiltManifest(manifestPath()).dataSources[0].eventHandlers[0].decoder.event.name).to.equal('Probed');
  });

  it('refuses what the embedded indexer does not implement, naming it', () => {
    const path = manifestPath();
    expect(errorWith((m) => (m.templates = [{ name: 'T' }]))).to.equal(`subgraph manifest ${path}: data source templates are not supported by the embedded indexer`);
    expect(errorWith((m) => (m.dataSources[0].mapping.blockHandlers = [{ handler: 'h' }]))).to.contain('data source Probe: blockHandlers are not supported');
    expect(errorWith((m) => (m.dataSources[0].mapping.eventHandlers[1].topic1 = ['0x01']))).to.contain('event handler option topic1 is not supported');
    expect(errorWith((m) => (m.dataSources[0].mapping.eventHandlers[1].receipt = true))).to.contain('event handler receipts are not supported');
    expect(errorWith((m) => (m.dataSources[0].mapping.eventHandlers[1].event = 'Counted(uint128)'))).to.contain('data source Probe: event Counted(uint128) is not in the ABI');
    expect(errorWith((m) => (m.dataSources[0].kind = 'near'))).to.contain('data source Probe: kind near is not supported');
    expect(errorWith((m) => (m.dataSources[0].mapping.language = 'wasm/rust'))).to.contain('mapping language wasm/rust is not supported');
    expect(errorWith((m) => delete m.dataSources[0].source.address)).to.contain('source.address (the embedded indexer needs one) must be a non-empty string');
    expect(errorWith((m) => (m.dataSources[0].source.address = '0x12'))).to.contain('source.address 0x12 is not an address');
    expect(errorWith((m) => (m.dataSources = []))).to.contain('no data sources');
    writeFileSync(path, 'dataSources: [unclosed');
    expect(() => readBuiltManifest(path)).to.throw(`subgraph manifest ${path}:`);
  });
});
