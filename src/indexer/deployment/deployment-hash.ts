import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { dump } from 'js-yaml';
import { parse } from 'yaml';
import { unixfsFileCid } from './unixfs-cid';

/**
 * A subgraph's deployment hash (graph-node's DeploymentHash, `_meta.deployment`) as `graph deploy` /
 * `graph build --ipfs` computes it, offline. graph-cli (compiler/index.js `uploadSubgraphToIPFS`)
 * adds every file the built manifest names (schema, ABIs, mappings; templates' too) to IPFS, replaces
 * each path by `{"/": "/ipfs/<cid>"}`, dumps the manifest with js-yaml (`noRefs`, `sortKeys`) and
 * adds that: the manifest's CID is the deployment. `ipfs add` is reproduced by unixfsFileCid.
 */

type Yaml = Record<string, unknown>;

export interface DeploymentHashOptions {
  /** Every data source's `source.startBlock`, instead of the build's (cached builds are made at 0). */
  startBlock?: number;
}

const objects = (value: unknown): Yaml[] => (Array.isArray(value) ? value.filter((v): v is Yaml => v !== null && typeof v === 'object') : []);
const child = (value: unknown, key: string): Yaml | undefined => {
  const inner = (value as Yaml | undefined)?.[key];
  return inner !== null && typeof inner === 'object' ? (inner as Yaml) : undefined;
};

/** The objects whose `file` graph-cli uploads: schema; per data source and template its ABIs, mapping and substreams package. */
function fileHolders(manifest: Yaml): Yaml[] {
  const holders: Array<Yaml | undefined> = [child(manifest, 'schema')];
  for (const source of [...objects(manifest.dataSources), ...objects(manifest.templates)]) {
    const mapping = child(source, 'mapping');
    holders.push(...objects(mapping?.abis), child(child(source, 'source'), 'package'));
    if (mapping && typeof mapping.file === 'string') holders.push(mapping);
  }
  return holders.filter((holder): holder is Yaml => holder !== undefined && typeof holder.file === 'string');
}

/** The manifest graph-cli uploads for the build folder `buildDir` (holding subgraph.yaml). */
export function ipfsManifest(buildDir: string, options: DeploymentHashOptions = {}): string {
  const manifestPath = join(resolve(buildDir), 'subgraph.yaml');
  const manifest = parse(readFileSync(manifestPath, 'utf8')) as Yaml;
  const cids = new Map<string, string>();
  for (const holder of fileHolders(manifest)) {
    const path = resolve(dirname(manifestPath), holder.file as string);
    if (!cids.has(path)) cids.set(path, unixfsFileCid(readFileSync(path)));
    holder.file = { '/': `/ipfs/${cids.get(path)}` };
  }
  if (options.startBlock !== undefined) {
    for (const source of objects(manifest.dataSources)) {
      const located = child(source, 'source');
      if (located) located.startBlock = options.startBlock;
    }
  }
  return dump(manifest, { noRefs: true, sortKeys: true });
}

/** The deployment hash (`Qm…`) graph-cli's deploy of this build gives it. */
export function deploymentHash(buildDir: string, options: DeploymentHashOptions = {}): string {
  return unixfsFileCid(Buffer.from(ipfsManifest(buildDir, options), 'utf8'));
}
