import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { redactUrl, redactUrlIn } from '../logging/redact-url';
import { GraphCliError, runGraphCli } from './graph-cli';

/**
 * Deploys a subgraph built by buildSubgraphs to a graph-node: `graph create` (an existing name is
 * fine) then `graph deploy`, which compiles the source copy next to the build folder again and
 * uploads the result to IPFS before asking graph-node to index it.
 */

export interface DeploySubgraphOptions {
  /** BuiltSubgraph.buildDir; its parent folder holds the source manifest graph deploy compiles. */
  buildDir: string;
  /** Subgraph name on the graph-node, e.g. `mosaic/origin-1405`. */
  name: string;
  /** graph-node admin JSON-RPC URL, e.g. http://127.0.0.1:8020. */
  node: string;
  /** IPFS API URL, e.g. http://127.0.0.1:5001. */
  ipfs: string;
  versionLabel: string;
  /** For hosted graph-nodes that want one; never logged. */
  deployKey?: string;
  timeoutMs?: number;
}

export interface DeploySubgraphResult {
  /** graph deploy's output (it names the query URL). */
  output: string;
}

export function graphCreateArgs(options: Pick<DeploySubgraphOptions, 'name' | 'node'>): string[] {
  return ['create', '--node', options.node, options.name];
}

export function graphDeployArgs(options: DeploySubgraphOptions): string[] {
  const args = ['deploy', options.name, 'subgraph.yaml', '--node', options.node, '--ipfs', options.ipfs];
  args.push('--version-label', options.versionLabel, '--output-dir', resolve(options.buildDir));
  if (options.deployKey) args.push('--deploy-key', options.deployKey);
  return args;
}

/** graph-cli's error output turned into one line that says what to check. */
function explain(error: unknown, options: DeploySubgraphOptions, step: string): Error {
  if (!(error instanceof GraphCliError)) return error instanceof Error ? error : new Error(String(error));
  const output = error.output;
  let reason = `graph ${step} failed`;
  if (/upload .*IPFS|IPFS.*(fetch failed|ECONNREFUSED)/i.test(output)) reason = `cannot upload the subgraph to IPFS at ${redactUrl(options.ipfs)}`;
  else if (/ECONNREFUSED/.test(output)) reason = `cannot reach graph-node at ${redactUrl(options.node)} (connection refused): is it running?`;
  else if (/ENOTFOUND|EAI_AGAIN/.test(output)) reason = `cannot resolve the host of ${redactUrl(options.node)}`;
  // graph-cli's own output may repeat the URLs, keys included.
  const details = redactUrlIn(redactUrlIn(error.message, options.node), options.ipfs);
  return new Error(`deploying subgraph ${options.name}: ${reason}\n${details}`, { cause: error });
}

export async function deploySubgraph(options: DeploySubgraphOptions): Promise<DeploySubgraphResult> {
  const sourceDir = dirname(resolve(options.buildDir));
  if (!existsSync(join(sourceDir, 'subgraph.yaml'))) {
    throw new Error(`${options.buildDir} is not a build folder from buildSubgraphs: no subgraph.yaml in ${sourceDir}`);
  }
  const cli = { cwd: sourceDir, timeoutMs: options.timeoutMs };
  try {
    await runGraphCli(graphCreateArgs(options), cli);
  } catch (error) {
    if (!(error instanceof GraphCliError && /already exists/i.test(error.output))) throw explain(error, options, 'create');
  }
  try {
    return await runGraphCli(graphDeployArgs(options), cli);
  } catch (error) {
    throw explain(error, options, 'deploy');
  }
}
