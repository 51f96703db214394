import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MosaicConfigShape } from '../../src/config/mosaic-config';
import { buildSubgraphs, type BuiltSubgraph } from '../../src/subgraph/build';
import type { SubgraphSide } from '../../src/subgraph/sides';

/** Shared by test/subgraph and test/indexer/wasm: the subgraphs are built once per mocha process. */

export const SAMPLE_AUX_CHAIN_ID = 1405;

const address = (digit: string): string => `0x${digit.repeat(40)}`;

/** A mosaic-config with a distinct address per contract (some in mixed case) and distinct start blocks. */
export function sampleMosaicConfig(): MosaicConfigShape {
  return {
    version: 1,
    originChain: {
      chainId: 1337,
      contractAddresses: {
        simpleTokenAddress: address('1'),
        merklePatriciaLibAddress: address('2'),
        gatewayLibAddress: address('3'),
        messageBusAddress: address('4'),
      },
    },
    auxiliaryChains: {
      [String(SAMPLE_AUX_CHAIN_ID)]: {
        chainId: SAMPLE_AUX_CHAIN_ID,
        bootNodes: [],
        genesis: {},
        contractAddresses: {
          origin: {
            anchorOrganizationAddress: address('5'),
            anchorAddress: '0xAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaA1',
            ostGatewayOrganizationAddress: address('6'),
            ostEIP20GatewayAddress: '0xBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbB2',
            ostComposerOrganizationAddress: address('7'),
            ostComposerAddress: '0xCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcC3',
          },
          auxiliary: {
            ostPrimeAddress: address('8'),
            anchorOrganizationAddress: address('9'),
            anchorAddress: '0xDdDdDdDdDdDdDdDdDdDdDdDdDdDdDdDdDdDdDdD4',
            merklePatriciaLibAddress: address('a'),
            gatewayLibAddress: address('b'),
            messageBusAddress: address('c'),
            ostCoGatewayOrganizationAddress: address('d'),
            ostEIP20CogatewayAddress: '0xEeEeEeEeEeEeEeEeEeEeEeEeEeEeEeEeEeEeEeE5',
            redeemPoolOrganizationAddress: address('e'),
            redeemPoolAddress: '0xFfFfFfFfFfFfFfFfFfFfFfFfFfFfFfFfFfFfFfF6',
          },
        },
        startBlocks: { origin: 12, auxiliary: 34 },
      },
    },
  };
}

let building: Promise<Record<SubgraphSide, BuiltSubgraph>> | undefined;

/** Both subgraphs built for sampleMosaicConfig() in a temp folder removed when the process exits. */
export function builtTestSubgraphs(): Promise<Record<SubgraphSide, BuiltSubgraph>> {
  if (!building) {
    const outDir = mkdtempSync(join(tmpdir(), 'facilitator-subgraphs-'));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    building = buildSubgraphs({ mosaicConfig: sampleMosaicConfig(), auxChainId: SAMPLE_AUX_CHAIN_ID, outDir });
  }
  return building;
}
