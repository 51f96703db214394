import { homedir } from 'node:os';
import { join } from 'node:path';

/** ~/.mosaic, or MOSAIC_HOME when set (tests and multi-instance setups). */
export function mosaicHome(): string {
  return process.env.MOSAIC_HOME ?? join(homedir(), '.mosaic');
}

export function defaultFacilitatorConfigPath(auxChainId: number): string {
  return join(mosaicHome(), String(auxChainId), 'facilitator-config.json');
}

export function defaultDatabasePath(auxChainId: number): string {
  return join(mosaicHome(), String(auxChainId), 'facilitator.sqlite');
}

export function defaultMosaicConfigPath(auxChainId: number): string {
  return join(mosaicHome(), String(auxChainId), 'mosaic.json');
}

export function runDirectory(): string {
  return join(mosaicHome(), 'run');
}
