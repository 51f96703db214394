import type { MappingRunner } from '../follower/follower-ports';
import { eventDecoder, type AbiEvent, type EventParam } from './abi-decoder';
import { AscHeap, resolveClassIds, type AscExports, type ClassIds } from './asc-heap';
import type { BuiltDataSource, BuiltEventHandler } from './built-manifest';
import { writeBlock, writeEvent, writeTransaction } from './event-writer';
import { hostImports, unknownImports, type HostState } from './host-imports';
import { InstanceSnapshot } from './instance-reset';
import { MappingError } from './mapping-error';
import type { SubgraphSchema } from './schema';
import { WebAssemblyApi, type WasmModule } from './wasm-api';
import type { BlockWrites, ChainBlock, ChainLog, DataSourceInfo, MappingLogger, TransactionLookup } from './types';

/**
 * Runs a built subgraph's mappings the way graph-node does for event handlers: each log whose
 * address and topic0 match a data source handler (at or after its start block) is decoded with the
 * data source's ABI, written into WASM memory as ethereum.Event and passed to the handler, in log
 * order, data sources in manifest order. Entities passed to store.set are collected per block.
 */

export interface LoadSubgraphOptions {
  /** Receives graph-ts `log.*` lines and warnings about logs that match a handler but do not decode. */
  logger?: MappingLogger;
}

export interface LoadedSubgraph extends MappingRunner<BlockWrites> {
  buildDir: string;
  manifestPath: string;
  dataSources: DataSourceInfo[];
  /** Lowercase addresses of every data source (for eth_getLogs). */
  addresses: string[];
  /** Every handled topic0 (for eth_getLogs). */
  topics: string[];
  /** Lowest data source start block. */
  startBlock: bigint;
  schemaSdl: string;
  schema: SubgraphSchema;
  entityTypes: string[];
  /** What a mapping worker loads instead of the build folder (plain data, modules compiled). */
  image: SubgraphImage;
  /**
   * Runs the handlers of one block's logs (already filtered to the block; sorted by logIndex here
   * if they are not) and returns the block's entity writes. Throws MappingError when a handler
   * fails: the block must then not be committed. Each call runs on instances as fresh as new ones.
   */
  runBlock(block: ChainBlock, logs: ChainLog[], transactionOf?: TransactionLookup): BlockWrites;
}

/** A compiled module, with its mutable globals exported (undefined: fresh instances only, see instance-reset.ts). */
export interface CompiledModule {
  module: WasmModule;
  globals: string[] | undefined;
}

/** A data source as read from the manifest, its handlers' events as ABI (decoders are rebuilt from them). */
export interface ImageDataSource extends Omit<BuiltDataSource, 'eventHandlers'> {
  eventHandlers: Array<{ event: string; handler: string; abiEvent: AbiEvent; topic0: string }>;
}

/**
 * A built subgraph read and compiled, as plain data that crosses threads (postMessage, workerData):
 * a mapping worker hosts it without reading files, parsing YAML or GraphQL, or compiling WASM again.
 */
export interface SubgraphImage {
  buildDir: string;
  manifestPath: string;
  schemaSdl: string;
  schema: SubgraphSchema;
  dataSources: ImageDataSource[];
  /** By .wasm path (data sources may share one). */
  modules: Map<string, CompiledModule>;
}

interface DataSourceRuntime {
  built: BuiltDataSource;
  module: WasmModule;
  /** The module's mutable globals as exports (see instance-reset.ts); undefined: fresh instances only. */
  globals: string[] | undefined;
  classIds: ClassIds | undefined;
  handlersByTopic: Map<string, BuiltEventHandler[]>;
  /** The instance an earlier block used, to be returned to its state after `_start` for the next. */
  idle: LiveInstance | undefined;
}

/** One data source's instance for one block, with the block and transactions written once. */
interface LiveInstance {
  state: HostState;
  heap: AscHeap;
  exports: AscExports & Record<string, unknown>;
  blockPtr: number;
  transactionPtrs: Map<string, number>;
  /** Memory and globals right after `_start`; undefined when the module's globals cannot be reached. */
  snapshot: InstanceSnapshot | undefined;
}

/** What one handler call needs besides the log: the block's instances and writes. */
interface HandlerRun {
  rt: DataSourceRuntime;
  instances: Map<DataSourceRuntime, LiveInstance>;
  writes: BlockWrites;
  block: ChainBlock;
  transactionOf: TransactionLookup | undefined;
}

const REQUIRED_EXPORTS = ['memory', '__new', 'id_of_type', '_start'];

/** An instance whose memory grew past this is dropped rather than zeroed for the next block. */
const MAX_REUSED_MEMORY = 16 * 1024 * 1024;

function prepareDataSource(source: ImageDataSource, modules: ReadonlyMap<string, CompiledModule>): DataSourceRuntime {
  const eventHandlers = source.eventHandlers.map(({ event, handler, abiEvent, topic0 }) => ({ event, handler, decoder: eventDecoder(abiEvent, topic0) }));
  const built: BuiltDataSource = { ...source, eventHandlers };
  const compiled = modules.get(built.wasmPath);
  if (!compiled) throw new Error(`data source ${built.name}: ${built.wasmPath} was not compiled`);
  const { module, globals } = compiled;
  const missingImports = unknownImports(module);
  if (missingImports.length > 0) {
    throw new Error(`data source ${built.name} (${built.wasmPath}) imports host functions the embedded indexer does not provide: ${missingImports.join(', ')}`);
  }
  const exported = new Set(WebAssemblyApi.Module.exports(module).map((e) => e.name));
  const missingExports = [...REQUIRED_EXPORTS, ...built.eventHandlers.map((h) => h.handler)].filter((name) => !exported.has(name));
  if (missingExports.length > 0) throw new Error(`data source ${built.name} (${built.wasmPath}) does not export ${missingExports.join(', ')}`);
  const handlersByTopic = new Map<string, BuiltEventHandler[]>();
  for (const handler of built.eventHandlers) {
    const list = handlersByTopic.get(handler.decoder.topic0) ?? [];
    list.push(handler);
    handlersByTopic.set(handler.decoder.topic0, list);
  }
  return { built, module, globals, classIds: undefined, handlersByTopic, idle: undefined };
}

function describe(ds: DataSourceRuntime): DataSourceInfo {
  const { built } = ds;
  return {
    name: built.name,
    network: built.network,
    address: built.address,
    startBlock: built.startBlock,
    topics: [...ds.handlersByTopic.keys()],
    eventHandlers: built.eventHandlers.map((h) => ({ event: h.event, handler: h.handler, topic0: h.decoder.topic0 })),
  };
}

function sameHash(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function inLogOrder(logs: ChainLog[]): ChainLog[] {
  for (let i = 1; i < logs.length; i++) {
    if (logs[i].logIndex < logs[i - 1].logIndex) return [...logs].sort((a, b) => a.logIndex - b.logIndex);
  }
  return logs;
}

class SubgraphHost {
  private readonly byAddress = new Map<string, DataSourceRuntime[]>();

  constructor(
    runtimes: DataSourceRuntime[],
    private readonly schema: SubgraphSchema,
    private readonly logger: MappingLogger,
  ) {
    for (const rt of runtimes) {
      const list = this.byAddress.get(rt.built.address) ?? [];
      list.push(rt);
      this.byAddress.set(rt.built.address, list);
    }
  }

  runBlock(block: ChainBlock, logs: ChainLog[], transactionOf?: TransactionLookup): BlockWrites {
    const writes: BlockWrites = new Map();
    const instances = new Map<DataSourceRuntime, LiveInstance>();
    for (const log of inLogOrder(logs)) {
      if (log.blockNumber !== block.number || !sameHash(log.blockHash, block.hash)) {
        throw new Error(`log ${log.transactionHash}-${log.logIndex} belongs to block ${log.blockNumber} ${log.blockHash}, not ${block.number} ${block.hash}`);
      }
      const topic0 = log.topics[0]?.toLowerCase();
      if (topic0 === undefined) continue;
      for (const rt of this.byAddress.get(log.address.toLowerCase()) ?? []) {
        if (block.number < rt.built.startBlock) continue;
        for (const handler of rt.handlersByTopic.get(topic0) ?? []) {
          const params = this.decode(rt, handler, block, log);
          if (params) this.callHandler({ rt, instances, writes, block, transactionOf }, handler, log, params);
        }
      }
    }
    // Kept for the next block only after a block that passed: a failed one is left behind entirely.
    for (const [rt, live] of instances) rt.idle = live.snapshot && live.heap.memorySize() <= MAX_REUSED_MEMORY ? live : undefined;
    return writes;
  }

  /** The log's parameters, or undefined (with a warning) when it does not fit the event's ABI. */
  private decode(rt: DataSourceRuntime, handler: BuiltEventHandler, block: ChainBlock, log: ChainLog): EventParam[] | undefined {
    try {
      return handler.decoder.decode(log.topics, log.data);
    } catch (error) {
      this.logger({
        level: 'warning',
        message: `skipping log ${log.transactionHash}-${log.logIndex}: it does not decode as ${handler.event}: ${(error as Error).message}`,
        dataSource: rt.built.name,
        handler: handler.handler,
        blockNumber: block.number,
      });
      return undefined;
    }
  }

  /**
   * The data source's instance for a block, as fresh as a new one: the previous block's taken back to
   * its state after `_start`, or a new one (whose state after `_start` is kept for the next blocks).
   */
  private instantiate(rt: DataSourceRuntime, block: ChainBlock, writes: BlockWrites): LiveInstance {
    const idle = rt.idle;
    rt.idle = undefined;
    if (idle?.snapshot) {
      idle.snapshot.restore(idle.exports);
      Object.assign(idle.state, { writes, blockNumber: block.number, handler: undefined });
      return { ...idle, blockPtr: writeBlock(idle.heap, block), transactionPtrs: new Map() };
    }
    const { built } = rt;
    const state: HostState = {
      heap: undefined,
      dataSource: { name: built.name, network: built.network, address: built.address },
      schema: this.schema,
      writes,
      blockNumber: block.number,
      handler: undefined,
      logger: this.logger,
    };
    const instance = new WebAssemblyApi.Instance(rt.module, hostImports(rt.module, state));
    const exports = instance.exports as unknown as AscExports & Record<string, unknown>;
    exports._start();
    rt.classIds ??= resolveClassIds(exports);
    const heap = new AscHeap(exports, rt.classIds);
    state.heap = heap;
    const snapshot = rt.globals ? InstanceSnapshot.take(exports, rt.globals) : undefined;
    return { state, heap, exports, blockPtr: writeBlock(heap, block), transactionPtrs: new Map(), snapshot };
  }

  private callHandler(run: HandlerRun, handler: BuiltEventHandler, log: ChainLog, params: EventParam[]): void {
    const { rt, instances, writes, block, transactionOf } = run;
    let live: LiveInstance | undefined;
    try {
      live = instances.get(rt);
      if (!live) instances.set(rt, (live = this.instantiate(rt, block, writes)));
      const { heap } = live;
      live.state.handler = handler.handler;
      let transactionPtr = live.transactionPtrs.get(log.transactionHash);
      if (transactionPtr === undefined) {
        transactionPtr = writeTransaction(heap, log, transactionOf?.(log));
        live.transactionPtrs.set(log.transactionHash, transactionPtr);
      }
      const eventPtr = writeEvent(heap, log, params, live.blockPtr, transactionPtr);
      (live.exports[handler.handler] as (event: number) => void)(eventPtr);
    } catch (error) {
      throw new MappingError(
        `${rt.built.name}.${handler.handler} failed on log ${log.transactionHash}-${log.logIndex} of block ${block.number}: ${(error as Error).message}`,
        rt.built.name,
        handler.handler,
        block.number,
        log.transactionHash,
        log.logIndex,
        { cause: error },
      );
    } finally {
      if (live) live.state.handler = undefined;
    }
  }
}

/** Hosts a read and compiled subgraph (see SubgraphImage), checking every import and handler up front. */
export function hostSubgraph(image: SubgraphImage, options: LoadSubgraphOptions = {}): LoadedSubgraph {
  const { schema } = image;
  const runtimes = image.dataSources.map((ds) => prepareDataSource(ds, image.modules));
  const host = new SubgraphHost(runtimes, schema, options.logger ?? (() => undefined));
  const dataSources = runtimes.map(describe);
  return {
    buildDir: image.buildDir,
    manifestPath: image.manifestPath,
    image,
    dataSources,
    addresses: [...new Set(dataSources.map((ds) => ds.address))],
    topics: [...new Set(dataSources.flatMap((ds) => ds.topics))],
    startBlock: dataSources.reduce((min, ds) => (ds.startBlock < min ? ds.startBlock : min), dataSources[0].startBlock),
    schemaSdl: image.schemaSdl,
    schema,
    entityTypes: [...schema.entityTypes.keys()],
    runBlock: (block, logs, transactionOf) => host.runBlock(block, logs, transactionOf),
  };
}
