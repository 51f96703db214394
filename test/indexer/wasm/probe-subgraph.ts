import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSubgraphDir } from '../../../src/subgraph/build';

/**
 * fixtures/probe: a subgraph whose mapping reads every ethereum.Event/Block/Transaction field and
 * calls every host function; built once per mocha process into a temp folder.
 */

export const PROBE_ADDRESS = '0x00000000000000000000000000000000000000b0';
export const PROBE_START_BLOCK = 5n;

let building: Promise<string> | undefined;

/** The probe's build folder (graph build output). */
export function builtProbeSubgraph(): Promise<string> {
  if (!building) {
    const dir = mkdtempSync(join(tmpdir(), 'facilitator-probe-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    cpSync(join(__dirname, 'fixtures', 'probe'), join(dir, 'probe'), { recursive: true });
    building = buildSubgraphDir(join(dir, 'probe'));
  }
  return building;
}
