import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { MosaicConfigShape } from '../config/mosaic-config';
import { packageRoot } from '../util/package-root';
import { writeAbis } from './abis';
import { runGraphCli } from './graph-cli';
import { subgraphNetworks, type NetworksFile, type SubgraphNetworkNames } from './manifest';
import { SUBGRAPH_SIDES, subgraphSourceDir, type SubgraphSide } from './sides';

/**
 * Builds the subgraphs with graph-cli (codegen + build) in a copy of subgraph/<side>, so the sources
 * in git stay untouched (`graph build --network` rewrites the manifest it builds) and several builds
 * can run side by side.
 */

export interface BuildSubgraphsOptions {
  /** Deployment to build for; omitted, the placeholder addresses of subgraph.yaml are kept. */
  mosaicConfig?: MosaicConfigShape;
  /** Required with mosaicConfig. */
  auxChainId?: number;
  /** Receives <side>/ (a copy of the sources, generated code, networks.json) and <side>/build/. */
  outDir: string;
  /** Network names for networks.json; default `mosaic-origin` and `mosaic-aux-<auxChainId>`. */
  networkNames?: SubgraphNetworkNames;
  /** Per graph-cli run. */
  timeoutMs?: number;
}

export interface BuiltSubgraph {
  side: SubgraphSide;
  /** Network the manifest was built for (the placeholder one of subgraph.yaml without a mosaic-config). */
  network: string | undefined;
  /** The source copy graph-cli ran in; its subgraph.yaml carries the deployment's addresses. */
  sourceDir: string;
  /** graph build's output: subgraph.yaml, schema.graphql, <DataSource>/<DataSource>.wasm and ABIs. */
  buildDir: string;
  manifestPath: string;
}

/** Files and folders of subgraph/<side> that make up the subgraph sources. */
const SOURCE_ENTRIES = ['subgraph.yaml', 'schema.graphql', 'src'];

/** graph-cli finds graph-ts in a node_modules above the manifest; link ours when there is none. */
function ensureGraphTsReachable(dir: string): void {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'node_modules', '@graphprotocol', 'graph-ts'))) return;
    if (dirname(current) === current) break;
  }
  symlinkSync(join(packageRoot(), 'node_modules'), join(dir, 'node_modules'), 'dir');
}

export interface BuildSubgraphDirOptions {
  /** graph-cli's networks.json contents and the network to build for; omitted, subgraph.yaml is kept as is. */
  network?: { name: string; networks: NetworksFile };
  timeoutMs?: number;
}

/**
 * Runs `graph codegen` and `graph build` in sourceDir (a folder with subgraph.yaml, schema, mappings
 * and ABIs) and returns the build folder, sourceDir/build.
 */
export async function buildSubgraphDir(sourceDir: string, options: BuildSubgraphDirOptions = {}): Promise<string> {
  ensureGraphTsReachable(sourceDir);
  const cli = { cwd: sourceDir, timeoutMs: options.timeoutMs };
  await runGraphCli(['codegen', 'subgraph.yaml', '--output-dir', 'generated'], cli);
  const buildArgs = ['build', 'subgraph.yaml', '--output-dir', 'build'];
  if (options.network) {
    writeFileSync(join(sourceDir, 'networks.json'), `${JSON.stringify(options.network.networks, null, 2)}\n`);
    buildArgs.push('--network', options.network.name, '--network-file', 'networks.json');
  }
  await runGraphCli(buildArgs, cli);
  return join(sourceDir, 'build');
}

function prepareSource(side: SubgraphSide, sourceDir: string): void {
  rmSync(sourceDir, { recursive: true, force: true });
  mkdirSync(sourceDir, { recursive: true });
  for (const entry of SOURCE_ENTRIES) cpSync(join(subgraphSourceDir(side), entry), join(sourceDir, entry), { recursive: true });
  writeAbis(side, sourceDir);
}

/** Builds both subgraphs, one after the other (graph build is CPU-bound); ≈ 10 s each. */
export async function buildSubgraphs(options: BuildSubgraphsOptions): Promise<Record<SubgraphSide, BuiltSubgraph>> {
  const { mosaicConfig, auxChainId } = options;
  if (mosaicConfig && auxChainId === undefined) throw new Error('buildSubgraphs: auxChainId is required with a mosaicConfig');
  const networks = mosaicConfig ? subgraphNetworks(mosaicConfig, auxChainId as number, options.networkNames) : undefined;
  const outDir = resolve(options.outDir);
  const built = {} as Record<SubgraphSide, BuiltSubgraph>;
  for (const side of SUBGRAPH_SIDES) {
    const sourceDir = join(outDir, side);
    prepareSource(side, sourceDir);
    const network = networks && { name: networks[side].network, networks: networks[side].networks };
    const buildDir = await buildSubgraphDir(sourceDir, { network, timeoutMs: options.timeoutMs });
    built[side] = { side, network: network?.name, sourceDir, buildDir, manifestPath: join(buildDir, 'subgraph.yaml') };
  }
  return built;
}
