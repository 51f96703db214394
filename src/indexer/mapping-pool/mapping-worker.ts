import { parentPort, workerData } from 'node:worker_threads';
import { loadSubgraph, type LoadedSubgraph } from '../wasm/subgraph-host';
import type { BlockWrites, MappingLogEntry } from '../wasm/types';
import { encodeError, writesEncoder, type EncodedBlock, type EncodedTypeWrites, type MapRequest, type WorkerReply } from './worker-messages';

/**
 * A mapping worker (started by MappingPool): loads the built subgraph named by `workerData.buildDir`
 * and maps the blocks it is sent, in order, each on instances as fresh as new ones (as the indexing
 * thread would), answering with their writes in column form.
 */

export interface MappingWorkerData {
  buildDir: string;
}

const port = parentPort;
if (!port) throw new Error('mapping-worker runs as a worker thread (MappingPool starts it)');

let logs: MappingLogEntry[] = [];
let subgraph: LoadedSubgraph;
let encode: (writes: BlockWrites) => EncodedTypeWrites[];
try {
  subgraph = loadSubgraph((workerData as MappingWorkerData).buildDir, { logger: (entry) => logs.push(entry) });
  encode = writesEncoder(subgraph.schema);
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ kind: 'load-failed', error: encodeError(error) } satisfies WorkerReply);
}

port.on('message', (request: MapRequest) => {
  const blocks: EncodedBlock[] = [];
  for (const { block, logs: blockLogs } of request.blocks) {
    logs = [];
    try {
      blocks.push({ writes: encode(subgraph.runBlock(block, blockLogs)), logs });
    } catch (error) {
      port.postMessage({ kind: 'mapped', job: request.job, blocks, failure: { error: encodeError(error), logs } } satisfies WorkerReply);
      return;
    }
  }
  port.postMessage({ kind: 'mapped', job: request.job, blocks } satisfies WorkerReply);
});
