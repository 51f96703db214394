import { homedir } from 'node:os';
import { join } from 'node:path';

/** ~/.mosaic, or MOSAIC_HOME when set and not empty (tests and multi-instance setups). */
export function mosaicHome(): string {
  const override = process.env.MOSAIC_HOME;
  return override !== undefined && override !== '' ? override : join(homedir(), '.mosaic');
}

/** ~/.mosaic/<aux-chain-id>/facilitator-config.json */
export function defaultFacilitatorConfigPath(auxChainId: number): string {
  return join(mosaicHome(), String(auxChainId), 'facilitator-config.json');
}

/** ~/.mosaic/<aux-chain-id>/facilitator.sqlite */
export function defaultDatabasePath(auxChainId: number): string {
  return join(mosaicHome(), String(auxChainId), 'facilitator.sqlite');
}

/** ~/.mosaic/<aux-chain-id>/mosaic.json */
export function defaultMosaicConfigPath(auxChainId: number): string {
  return join(mosaicHome(), String(auxChainId), 'mosaic.json');
}

/** ~/.mosaic/run: pid and run files of started facilitators. */
export function runDirectory(): string {
  return join(mosaicHome(), 'run');
}
