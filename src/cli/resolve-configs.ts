import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ChainClient } from '../chain/chain-client';
import { FailoverJsonRpc } from '../chain/failover-json-rpc';
import { HttpJsonRpc } from '../chain/json-rpc';
import type { LocalSigner } from '../chain/local-signer';
import { loadFacilitatorConfig, type FacilitatorConfig } from '../config/facilitator-config';
import { unlockKeystore } from '../config/keystore';
import type { MosaicConfigShape } from '../config/mosaic-config';
import { auxiliaryChainOf, loadMosaicConfig } from '../config/mosaic-config-schema';
import { defaultFacilitatorConfigPath, defaultMosaicConfigPath, mosaicHome } from '../config/paths';
import { adminTokenPath, ensureAdminToken } from '../config/admin-token';
import type { Logger } from '../logging/logger';
import { redactUrl, redactUrlIn } from '../logging/redact-url';
import { ConfigError } from '../config/validation';
import type { SubgraphSide } from '../subgraph/sides';
import { rpcEndpointsOf } from '../facilitator/resolve-options';
import { workerPassword } from './passwords';

export interface ConfigOptions {
  mosaicConfig?: string;
  facilitatorConfig?: string;
  auxChainId?: number;
}

export interface ResolvedConfigs {
  config: FacilitatorConfig;
  configPath: string;
  mosaic: MosaicConfigShape;
  mosaicPath: string;
}

/** The facilitator-config to use: given, or the default of the given/only aux chain under ~/.mosaic. */
export function facilitatorConfigPath(options: ConfigOptions): string {
  if (options.facilitatorConfig) return resolve(options.facilitatorConfig);
  if (options.auxChainId !== undefined) return defaultFacilitatorConfigPath(options.auxChainId);
  const home = mosaicHome();
  const candidates = existsSync(home)
    ? readdirSync(home).filter((entry) => /^\d+$/.test(entry) && existsSync(join(home, entry, 'facilitator-config.json')))
    : [];
  if (candidates.length === 1) return join(home, candidates[0], 'facilitator-config.json');
  throw new ConfigError(
    candidates.length === 0
      ? `no facilitator-config under ${home}: run \`facilitator init\` first, or pass --facilitator-config`
      : `several facilitator-configs under ${home} (aux chains ${candidates.join(', ')}): pass --aux-chain-id`,
  );
}

export function resolveConfigs(options: ConfigOptions): ResolvedConfigs {
  const configPath = facilitatorConfigPath(options);
  const config = loadFacilitatorConfig(configPath);
  if (options.auxChainId !== undefined && options.auxChainId !== config.auxChainId) {
    throw new ConfigError(`--aux-chain-id ${options.auxChainId} does not match auxChainId ${config.auxChainId} of ${configPath}`);
  }
  const mosaicPath = resolve(options.mosaicConfig ?? config.mosaicConfig ?? defaultMosaicConfigPath(config.auxChainId));
  const mosaic = loadMosaicConfig(mosaicPath);
  if (mosaic.originChain.chainId !== config.originChainId) {
    throw new ConfigError(
      `chain id mismatch: mosaic-config ${mosaicPath} has origin chain ${mosaic.originChain.chainId}, facilitator-config ${configPath} has ${config.originChainId}`,
    );
  }
  auxiliaryChainOf(mosaic, config.auxChainId, `mosaic-config ${mosaicPath}`);
  return { config, configPath, mosaic, mosaicPath };
}

/**
 * Each chain's RPC must answer with the chain id the configs name: no endpoint may answer for another
 * chain, and at least one must answer (a fallback endpoint down at start is used once it is back).
 */
export async function checkChainIds(config: FacilitatorConfig): Promise<void> {
  for (const chainId of [config.originChainId, config.auxChainId]) {
    const urls = config.chains[String(chainId)].rpc;
    const answers = await Promise.all(urls.map((url) => chainIdAt(url, chainId)));
    const wrong = answers.find((answer) => answer.actual !== undefined && answer.actual !== chainId);
    if (wrong) throw new ConfigError(`chain id mismatch: ${redactUrl(wrong.url)} is chain ${wrong.actual}, the config expects ${chainId}`);
    if (answers.some((answer) => answer.actual !== undefined)) continue;
    if (answers.length === 1) throw new ConfigError(`chain ${chainId} RPC ${redactUrl(urls[0])} does not answer (${answers[0].reason}): is the node running?`);
    const reasons = answers.map((answer) => `${redactUrl(answer.url)}: ${answer.reason}`).join('; ');
    throw new ConfigError(`chain ${chainId}: none of its ${urls.length} RPC endpoints answers (${reasons}): are the nodes running?`);
  }
}

async function chainIdAt(url: string, chainId: number): Promise<{ url: string; actual?: number; reason?: string }> {
  try {
    return { url, actual: await new ChainClient(new HttpJsonRpc(url, 10_000), chainId).getChainId() };
  } catch (error) {
    return { url, reason: error instanceof Error ? redactUrlIn(error.message, url) : String(error) };
  }
}

/** A chain's client over all its configured endpoints (failover), for the checks before start. */
export function configuredChainClient(config: FacilitatorConfig, chainId: number): ChainClient {
  const settings = config.chains[String(chainId)];
  const endpoints = rpcEndpointsOf(settings.rpc, settings);
  return new ChainClient(new FailoverJsonRpc(settings.rpc, { ...endpoints, timeoutMs: 10_000, chainId }), chainId);
}

/**
 * Unlocks every worker key of both chains (each address once; `unlocked` carries keys across the configs
 * of several pairs, whose passwords are read, and removed from the environment, only once).
 */
export async function unlockWorkers(config: FacilitatorConfig, unlocked = new Map<string, LocalSigner>()): Promise<Record<SubgraphSide, LocalSigner[]>> {
  const unlock = async (address: string) => {
    let signer = unlocked.get(address);
    if (!signer) {
      signer = await unlockKeystore(address, config.encryptedAccounts[address], await workerPassword(address));
      unlocked.set(address, signer);
    }
    return signer;
  };
  const origin = [];
  for (const worker of config.chains[String(config.originChainId)].workers) origin.push(await unlock(worker));
  const auxiliary = [];
  for (const worker of config.chains[String(config.auxChainId)].workers) auxiliary.push(await unlock(worker));
  return { origin, auxiliary };
}

/**
 * The admin API's token beside the facilitator-config; a config from before admin actions has none, and
 * gets one now (its path logged, never the token). A token file others may read stops the start.
 */
export function loadAdminToken(configPath: string, logger: Logger): string {
  const path = adminTokenPath(configPath);
  const { token, created } = ensureAdminToken(path);
  if (created) logger.info({ adminTokenFile: path }, 'admin API token written (mode 0600)');
  return token;
}
