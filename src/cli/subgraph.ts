import { Command } from 'commander';
import { resolve } from 'node:path';
import { auxiliaryChainOf, loadMosaicConfig } from '../config/mosaic-config-schema';
import { buildSubgraphs } from '../subgraph/build';
import { deploySubgraph } from '../subgraph/deploy';
import { SUBGRAPH_SIDES } from '../subgraph/sides';
import { embeddedSubgraphName } from '../indexer/embedded-indexer';
import { parseChainId } from './option-parsers';

interface BuildOptions {
  mosaicConfig: string;
  auxChainId: number;
  out: string;
}

async function build(options: BuildOptions) {
  const mosaic = loadMosaicConfig(resolve(options.mosaicConfig));
  auxiliaryChainOf(mosaic, options.auxChainId, `mosaic-config ${options.mosaicConfig}`);
  return buildSubgraphs({ mosaicConfig: mosaic, auxChainId: options.auxChainId, outDir: resolve(options.out) });
}

export function subgraphCommand(): Command {
  const subgraph = new Command('subgraph').description('build or deploy the origin and auxiliary subgraphs of a deployment (graph-cli)');
  subgraph
    .command('build')
    .description('graph codegen + graph build of both subgraphs with the deployment\'s addresses and start blocks')
    .requiredOption('--mosaic-config <path>', 'mosaic-config of the deployment')
    .requiredOption('--aux-chain-id <id>', 'auxiliary chain', parseChainId)
    .option('--out <dir>', 'output folder', './subgraph-build')
    .addHelpText('after', '\nExamples:\n  $ facilitator subgraph build --mosaic-config ~/.mosaic/1405/mosaic.json --aux-chain-id 1405')
    .action(async (options: BuildOptions) => {
      const built = await build(options);
      for (const side of SUBGRAPH_SIDES) process.stdout.write(`${side}: ${built[side].buildDir}\n`);
    });
  subgraph
    .command('deploy')
    .description('build, then graph create + graph deploy both subgraphs to a graph-node')
    .requiredOption('--mosaic-config <path>', 'mosaic-config of the deployment')
    .requiredOption('--aux-chain-id <id>', 'auxiliary chain', parseChainId)
    .requiredOption('--node <url>', 'graph-node admin URL, e.g. http://127.0.0.1:8020')
    .requiredOption('--ipfs <url>', 'IPFS API URL, e.g. http://127.0.0.1:5001')
    .option('--out <dir>', 'build folder', './subgraph-build')
    .option('--version-label <label>', 'version label of the deployment', 'v0.1.0')
    .addHelpText(
      'after',
      '\nNames: mosaic-origin-<aux-chain-id> and mosaic-auxiliary-<aux-chain-id> (what the facilitator-config points at).\nExamples:\n  $ facilitator subgraph deploy --mosaic-config mosaic.json --aux-chain-id 1405 --node http://127.0.0.1:8020 --ipfs http://127.0.0.1:5001',
    )
    .action(async (options: BuildOptions & { node: string; ipfs: string; versionLabel: string }) => {
      const built = await build(options);
      for (const side of SUBGRAPH_SIDES) {
        const name = embeddedSubgraphName(side, options.auxChainId);
        await deploySubgraph({ buildDir: built[side].buildDir, name, node: options.node, ipfs: options.ipfs, versionLabel: options.versionLabel });
        process.stdout.write(`deployed ${name}\n`);
      }
    });
  return subgraph;
}
