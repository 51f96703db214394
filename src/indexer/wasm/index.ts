/** The WASM mapping host: runs a subgraph built by graph-cli the way graph-node runs event handlers. */
export { loadSubgraph, MappingError, type LoadedSubgraph, type LoadSubgraphOptions } from './subgraph-host';
export { MappingAbortError, hostFunctionNames } from './host-imports';
export { parseSchema, validateEntity, type SubgraphSchema } from './schema';
export type * from './types';
