import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MosaicConfigShape } from '../config/mosaic-config';
import { packageRoot } from '../util/package-root';
import { writeAbis } from './abis';
import { buildSubgraphs } from './build';
import { SUBGRAPH_SIDES } from './sides';

/**
 * `npm run subgraph:build`: without arguments, builds both subgraphs with their placeholder
 * addresses into subgraph/.build/ (proves they compile); with
 * `--mosaic-config <file> --aux-chain-id <id> --out <dir>`, builds them for that deployment.
 * Either way it also refreshes subgraph/<side>/abis/, so graph-cli can be run in those folders.
 */

interface CliArgs {
  mosaicConfig?: string;
  auxChainId?: number;
  out?: string;
}

const USAGE = 'usage: subgraph:build [--mosaic-config <file> --aux-chain-id <id>] [--out <dir>]';

export function parseBuildArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    i++;
    if (flag === '--mosaic-config') args.mosaicConfig = value;
    else if (flag === '--out') args.out = value;
    else if (flag === '--aux-chain-id') {
      if (!/^\d+$/.test(value)) throw new Error(`--aux-chain-id must be a chain id, got ${value}`);
      args.auxChainId = Number(value);
    } else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if ((args.mosaicConfig === undefined) !== (args.auxChainId === undefined)) {
    throw new Error(`--mosaic-config and --aux-chain-id go together\n${USAGE}`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseBuildArgs(process.argv.slice(2));
  const mosaicConfig = args.mosaicConfig ? (JSON.parse(readFileSync(args.mosaicConfig, 'utf8')) as MosaicConfigShape) : undefined;
  const outDir = args.out ?? join(packageRoot(), 'subgraph', '.build');
  const built = await buildSubgraphs({ mosaicConfig, auxChainId: args.auxChainId, outDir });
  for (const side of SUBGRAPH_SIDES) writeAbis(side);
  for (const subgraph of Object.values(built)) {
    process.stdout.write(`${subgraph.side}: ${subgraph.manifestPath}${subgraph.network ? ` (network ${subgraph.network})` : ' (placeholder addresses)'}\n`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
