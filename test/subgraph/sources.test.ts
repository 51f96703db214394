import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { manifestEventSignature, type AbiEvent } from '../../src/indexer/wasm/abi-decoder';
import { parseSchema } from '../../src/indexer/wasm/schema';
import { abiOf } from '../../src/mosaic/artifacts';
import { SUBGRAPH_DATA_SOURCES, SUBGRAPH_SIDES, subgraphSourceDir } from '../../src/subgraph/sides';

/** The subgraph sources in git agree with the contracts' ABIs and with src/subgraph/sides.ts. */

interface ManifestDataSource {
  name: string;
  network: string;
  source: { address: string; abi: string; startBlock: number };
  mapping: { apiVersion: string; entities: string[]; abis: Array<{ name: string; file: string }>; eventHandlers: Array<{ event: string; handler: string }>; file: string };
}

const GRAPHQL_TYPES: Record<string, string> = { uint256: 'BigInt', address: 'Bytes', bytes32: 'Bytes', bool: 'Boolean', uint8: 'Int' };
const EVENT_FIELDS = { blockNumber: 'BigInt', blockHash: 'Bytes', blockTimestamp: 'BigInt', contractAddress: 'Bytes', transactionHash: 'Bytes', logIndex: 'BigInt' };

function abiEvent(contract: Parameters<typeof abiOf>[0], name: string): AbiEvent {
  const event = (abiOf(contract) as unknown as AbiEvent[]).find((e) => e.type === 'event' && e.name === name);
  if (!event) throw new Error(`${contract} has no event ${name}`);
  return event;
}

for (const side of SUBGRAPH_SIDES) {
  describe(`subgraph/${side} sources`, () => {
    const dir = subgraphSourceDir(side);
    const manifest = parseYaml(readFileSync(join(dir, 'subgraph.yaml'), 'utf8')) as { specVersion: string; dataSources: ManifestDataSource[] };
    const schema = parseSchema(readFileSync(join(dir, 'schema.graphql'), 'utf8'));

    it('has the data sources of sides.ts with placeholder addresses, spec 1.3.0 and api 0.0.9', () => {
      expect(manifest.specVersion).to.equal('1.3.0');
      expect(manifest.dataSources.map((ds) => ds.name)).to.deep.equal(SUBGRAPH_DATA_SOURCES[side].map((ds) => ds.name));
      for (const ds of manifest.dataSources) {
        expect(ds.source).to.deep.equal({ address: '0x0000000000000000000000000000000000000000', abi: ds.name, startBlock: 0 });
        expect(ds.mapping.apiVersion).to.equal('0.0.9');
        expect(ds.mapping.abis).to.deep.equal([{ name: ds.name, file: `./abis/${ds.name}.json` }]);
      }
    });

    it('handles every listed event with its exact ABI signature (indexed keywords included)', () => {
      for (const spec of SUBGRAPH_DATA_SOURCES[side]) {
        const ds = manifest.dataSources.find((d) => d.name === spec.name) as ManifestDataSource;
        expect(ds.mapping.entities).to.deep.equal([...spec.events]);
        expect(ds.mapping.eventHandlers).to.deep.equal(
          spec.events.map((name) => ({ event: manifestEventSignature(abiEvent(spec.name, name)), handler: `handle${name}` })),
        );
        const mapping = readFileSync(join(dir, ds.mapping.file), 'utf8');
        for (const name of spec.events) expect(mapping).to.contain(`export function handle${name}(event: ${name}Event): void {`);
      }
    });

    it('has one immutable entity per event, named after it, with every parameter and the event fields', () => {
      const events = SUBGRAPH_DATA_SOURCES[side].flatMap((ds) => ds.events.map((name) => abiEvent(ds.name, name)));
      expect(new Set(events.map((e) => e.name)).size, 'event names are unique on a side').to.equal(events.length);
      expect([...schema.entityTypes.keys()].sort()).to.deep.equal(events.map((e) => e.name).sort());
      for (const event of events) {
        const type = schema.entityTypes.get(event.name);
        expect(type?.immutable, event.name).to.equal(true);
        const fields = Object.fromEntries([...(type?.fields.values() ?? [])].map((f) => [f.name, `${f.type}${f.nonNull ? '!' : ''}`]));
        const expected: Record<string, string> = { id: 'ID!' };
        for (const input of event.inputs) expected[input.name.replace(/^_/, '')] = `${GRAPHQL_TYPES[input.type]}!`;
        for (const [name, type] of Object.entries(EVENT_FIELDS)) expected[name] = `${type}!`;
        expect(fields, event.name).to.deep.equal(expected);
      }
    });
  });
}
