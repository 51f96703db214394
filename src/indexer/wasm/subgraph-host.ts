import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBuiltManifest } from './built-manifest';
import { exportMutableGlobals } from './instance-reset';
import { hostSubgraph, type CompiledModule, type LoadedSubgraph, type LoadSubgraphOptions, type SubgraphImage } from './mapping-host';
import { parseSchema } from './schema';
import { WebAssemblyApi } from './wasm-api';

export { MappingError } from './mapping-error';
export { hostSubgraph, type LoadedSubgraph, type LoadSubgraphOptions, type SubgraphImage } from './mapping-host';

/** The module with its mutable globals exported, or as built when that cannot be done (fresh instances then). */
function compileModule(path: string): CompiledModule {
  const wasm = readFileSync(path);
  const rewritten = exportMutableGlobals(wasm);
  if (rewritten) {
    try {
      return { module: new WebAssemblyApi.Module(rewritten.wasm), globals: rewritten.globals };
    } catch {
      // e.g. the module already exports a name the rewrite chose: compile it as built
    }
  }
  return { module: new WebAssemblyApi.Module(wasm), globals: undefined };
}

/** Reads a subgraph built by `graph build` (buildDir holds its subgraph.yaml, schema and .wasm files) and compiles its modules. */
export function readSubgraphImage(buildDir: string): SubgraphImage {
  const manifestPath = join(buildDir, 'subgraph.yaml');
  const manifest = readBuiltManifest(manifestPath);
  const schemaSdl = readFileSync(manifest.schemaPath, 'utf8');
  const modules = new Map<string, CompiledModule>();
  for (const ds of manifest.dataSources) {
    if (!modules.has(ds.wasmPath)) modules.set(ds.wasmPath, compileModule(ds.wasmPath));
  }
  const dataSources = manifest.dataSources.map((ds) => ({
    ...ds,
    eventHandlers: ds.eventHandlers.map(({ event, handler, decoder }) => ({ event, handler, abiEvent: decoder.event, topic0: decoder.topic0 })),
  }));
  return { buildDir, manifestPath, schemaSdl, schema: parseSchema(schemaSdl), dataSources, modules };
}

/**
 * Loads a subgraph built by `graph build`, compiles its modules and checks every import and handler
 * up front.
 */
export function loadSubgraph(buildDir: string, options: LoadSubgraphOptions = {}): LoadedSubgraph {
  return hostSubgraph(readSubgraphImage(buildDir), options);
}
