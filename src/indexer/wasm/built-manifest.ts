import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { eventDecoder, manifestEventSignature, type AbiEvent, type EventDecoder } from './abi-decoder';

/**
 * Reads the subgraph.yaml that `graph build` writes into its output folder (paths there are relative
 * to that folder) and resolves what the host needs: per data source its address, start block, ABI
 * events and handlers, and the compiled .wasm. Features the host does not implement (templates,
 * block/call handlers, topic filters, receipts) fail here, by name, rather than indexing wrongly.
 */

export interface BuiltEventHandler {
  event: string;
  handler: string;
  decoder: EventDecoder;
}

export interface BuiltDataSource {
  name: string;
  network: string;
  address: string;
  startBlock: bigint;
  wasmPath: string;
  eventHandlers: BuiltEventHandler[];
}

export interface BuiltManifest {
  manifestPath: string;
  schemaPath: string;
  dataSources: BuiltDataSource[];
}

type Json = Record<string, unknown>;

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} must be a mapping`);
  return value as Json;
}

function string(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${what} must be a non-empty string`);
  return value;
}

function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${what} must be a list`);
  return value;
}

/** Whitespace-insensitive form of an event signature (YAML may fold long ones). */
function normalizeSignature(signature: string): string {
  return signature.replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1').trim();
}

function findEvent(abi: AbiEvent[], signature: string, where: string): AbiEvent {
  const wanted = normalizeSignature(signature);
  const exact = abi.find((e) => manifestEventSignature(e) === wanted);
  if (exact) return exact;
  // graph-node also accepts a signature written without `indexed`, when that is unambiguous.
  const loose = abi.filter((e) => manifestEventSignature(e).replace(/indexed /g, '') === wanted.replace(/indexed /g, ''));
  if (loose.length === 1) return loose[0];
  throw new Error(`${where}: event ${signature} is not in the ABI${loose.length > 1 ? ' unambiguously' : ''}`);
}

function readAbiEvents(dir: string, mapping: Json, abiName: string, where: string): AbiEvent[] {
  const entry = list(mapping.abis, `${where}.mapping.abis`)
    .map((a, i) => object(a, `${where}.mapping.abis[${i}]`))
    .find((a) => a.name === abiName);
  if (!entry) throw new Error(`${where}: ABI ${abiName} is not listed in mapping.abis`);
  const abiPath = resolve(dir, string(entry.file, `${where} ABI file`));
  const abi = JSON.parse(readFileSync(abiPath, 'utf8')) as unknown;
  if (!Array.isArray(abi)) throw new Error(`${abiPath} is not a JSON ABI array`);
  return (abi as Array<{ type?: string }>).filter((item): item is AbiEvent => item.type === 'event');
}

function readEventHandlers(mapping: Json, events: AbiEvent[], where: string): BuiltEventHandler[] {
  return list(mapping.eventHandlers, `${where}.mapping.eventHandlers`).map((h, i) => {
    const handler = object(h, `${where}.mapping.eventHandlers[${i}]`);
    const event = string(handler.event, `${where} event handler event`);
    for (const unsupported of ['topic1', 'topic2', 'topic3', 'calls']) {
      if (handler[unsupported] !== undefined) throw new Error(`${where}: event handler option ${unsupported} is not supported by the embedded indexer`);
    }
    if (handler.receipt === true) throw new Error(`${where}: event handler receipts are not supported by the embedded indexer`);
    return { event, handler: string(handler.handler, `${where} handler name`), decoder: eventDecoder(findEvent(events, event, where)) };
  });
}

function readDataSource(dir: string, value: unknown, index: number): BuiltDataSource {
  const ds = object(value, `dataSources[${index}]`);
  const name = string(ds.name, `dataSources[${index}].name`);
  const where = `data source ${name}`;
  if (ds.kind !== 'ethereum/contract' && ds.kind !== 'ethereum') throw new Error(`${where}: kind ${String(ds.kind)} is not supported`);
  const source = object(ds.source, `${where}.source`);
  const mapping = object(ds.mapping, `${where}.mapping`);
  for (const unsupported of ['blockHandlers', 'callHandlers']) {
    if (list(mapping[unsupported], unsupported).length > 0) throw new Error(`${where}: ${unsupported} are not supported by the embedded indexer`);
  }
  if (mapping.language !== 'wasm/assemblyscript') throw new Error(`${where}: mapping language ${String(mapping.language)} is not supported`);
  const address = string(source.address, `${where}.source.address (the embedded indexer needs one)`).toLowerCase();
  if (!/^0x[0-9a-f]{40}$/.test(address)) throw new Error(`${where}: source.address ${address} is not an address`);
  const startBlock = source.startBlock === undefined ? 0n : BigInt(source.startBlock as number | string);
  const events = readAbiEvents(dir, mapping, string(source.abi, `${where}.source.abi`), where);
  return {
    name,
    network: typeof ds.network === 'string' ? ds.network : '',
    address,
    startBlock,
    wasmPath: resolve(dir, string(mapping.file, `${where}.mapping.file`)),
    eventHandlers: readEventHandlers(mapping, events, where),
  };
}

export function readBuiltManifest(manifestPath: string): BuiltManifest {
  try {
    const dir = dirname(manifestPath);
    const manifest = object(parseYaml(readFileSync(manifestPath, 'utf8')), 'the manifest');
    if (list(manifest.templates, 'templates').length > 0) throw new Error('data source templates are not supported by the embedded indexer');
    const schema = object(manifest.schema, 'schema');
    const dataSources = list(manifest.dataSources, 'dataSources').map((ds, i) => readDataSource(dir, ds, i));
    if (dataSources.length === 0) throw new Error('no data sources');
    return { manifestPath, schemaPath: resolve(dir, string(schema.file, 'schema.file')), dataSources };
  } catch (error) {
    throw new Error(`subgraph manifest ${manifestPath}: ${(error as Error).message}`, { cause: error });
  }
}
