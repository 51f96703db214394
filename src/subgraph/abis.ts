import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { abiOf } from '../mosaic/artifacts';
import { SUBGRAPH_DATA_SOURCES, subgraphSourceDir, type SubgraphSide } from './sides';

/**
 * Writes <dir>/abis/<Contract>.json for every data source of one side, straight from
 * @openst/mosaic-contracts' contracts.json, so the subgraph ABIs never drift from the contracts the
 * facilitator talks to. Returns the paths written.
 */
export function writeAbis(side: SubgraphSide, dir: string = subgraphSourceDir(side)): string[] {
  const abiDir = join(dir, 'abis');
  mkdirSync(abiDir, { recursive: true });
  return SUBGRAPH_DATA_SOURCES[side].map(({ name }) => {
    const path = join(abiDir, `${name}.json`);
    writeFileSync(path, `${JSON.stringify(abiOf(name), null, 2)}\n`);
    return path;
  });
}
