import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { MosaicConfigShape } from '../config/mosaic-config';
import { buildSubgraphs } from '../subgraph/build';
import { subgraphNetworks } from '../subgraph/manifest';
import { SUBGRAPH_SIDES, subgraphSourceDir, type SubgraphSide } from '../subgraph/sides';

function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  for (const entry of readdirSync(dir).sort()) {
    if (entry === 'node_modules' || entry === 'build' || entry === 'generated') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) hashTree(hash, path);
    else hash.update(entry).update(readFileSync(path));
  }
}

/**
 * Build folders of both subgraphs for one deployment, built with graph-cli once and reused: the cache
 * key covers the deployment's addresses and the subgraph sources. Start blocks are left at 0 in these
 * builds (the embedded indexer applies the mosaic-config's start blocks itself), so a deployment whose
 * contracts land at other heights (a devnet restarted) reuses the build.
 */
export async function builtSubgraphsFor(
  mosaic: MosaicConfigShape,
  auxChainId: number,
  cacheDir: string,
): Promise<Record<SubgraphSide, string>> {
  const pair = mosaic.auxiliaryChains[String(auxChainId)];
  const unpinned: MosaicConfigShape = pair
    ? { ...mosaic, auxiliaryChains: { ...mosaic.auxiliaryChains, [String(auxChainId)]: { ...pair, startBlocks: { origin: 0, auxiliary: 0 } } } }
    : mosaic;
  const hash = createHash('sha256');
  hash.update(JSON.stringify(subgraphNetworks(unpinned, auxChainId)));
  for (const side of SUBGRAPH_SIDES) hashTree(hash, subgraphSourceDir(side));
  const outDir = join(cacheDir, hash.digest('hex').slice(0, 16));
  const manifests = Object.fromEntries(SUBGRAPH_SIDES.map((side) => [side, join(outDir, side, 'build')])) as Record<SubgraphSide, string>;
  if (SUBGRAPH_SIDES.every((side) => existsSync(join(manifests[side], 'subgraph.yaml')))) return manifests;
  const built = await buildSubgraphs({ mosaicConfig: unpinned, auxChainId, outDir });
  return { origin: built.origin.buildDir, auxiliary: built.auxiliary.buildDir };
}
