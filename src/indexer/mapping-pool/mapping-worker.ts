import { parentPort, workerData } from 'node:worker_threads';
import { hostSubgraph, type LoadedSubgraph, type SubgraphImage } from '../wasm/mapping-host';
import type { BlockWrites, MappingLogEntry } from '../wasm/types';
import { decodeRequest, encodeError, writesEncoder, type EncodedBlock, type EncodedTypeWrites, type MapRequest, type WorkerReply } from './worker-messages';

/**
 * A mapping worker (started by MappingPool): hosts the subgraph image it is given (read and compiled
 * by the indexing thread; this file imports nothing that parses YAML or GraphQL, so that a worker is
 * ready in tens of milliseconds) and maps the blocks it is sent, in order, each on instances as fresh as new ones (as the indexing
 * thread would), answering with their writes in column form.
 */

export interface MappingWorkerData {
  image: SubgraphImage;
}

const port = parentPort;
if (!port) throw new Error('mapping-worker runs as a worker thread (MappingPool starts it)');

let logs: MappingLogEntry[] = [];
let subgraph: LoadedSubgraph;
let encode: (writes: BlockWrites) => EncodedTypeWrites[];
try {
  subgraph = hostSubgraph((workerData as MappingWorkerData).image, { logger: (entry) => logs.push(entry) });
  encode = writesEncoder(subgraph.schema);
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ kind: 'load-failed', error: encodeError(error) } satisfies WorkerReply);
}

port.on('message', (request: MapRequest) => {
  const blocks: EncodedBlock[] = [];
  for (const { block, logs: blockLogs } of decodeRequest(request)) {
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
