import type { RpcEndpoints } from '../chain/failover-json-rpc';
import type { LocalSigner } from '../chain/local-signer';
import type { ChainSettings, FacilitatorConfig, FlowGasSettings, ProfitabilitySettings } from '../config/facilitator-config';
import type { FacilitationPolicy, ProfitabilityPolicy } from '../facilitation/context';
import type { EmbeddedIndexer } from '../indexer/embedded-indexer';
import type { Logger } from '../logging/logger';
import type { StreamTransport } from '../streams/entity-stream';
import type { SubgraphEndpoint } from '../streams/subgraph-client';
import type { SubgraphSide } from '../subgraph/sides';
import { DEFAULTS } from './defaults';
import type { ChainRuntimeOptions } from './facilitator';

/** The two chains of a config, by side: their settings and ids. */
export function chainsOf(config: FacilitatorConfig): Record<SubgraphSide, { chainId: number; settings: ChainSettings }> {
  return {
    origin: { chainId: config.originChainId, settings: config.chains[String(config.originChainId)] },
    auxiliary: { chainId: config.auxChainId, settings: config.chains[String(config.auxChainId)] },
  };
}

/**
 * A chain's JSON-RPC endpoints with the failover defaults applied; `settings` leaves any of them out
 * (a bare list of URLs: the devnet, tests, one-off CLI checks).
 */
export function rpcEndpointsOf(urls: readonly string[], settings: Partial<Pick<ChainSettings, 'ws' | 'maxLagBlocks' | 'healthCheckIntervalMs'>> = {}): RpcEndpoints {
  return {
    urls,
    wsUrls: settings.ws,
    timeoutMs: DEFAULTS.chain.rpcTimeoutMs,
    maxLagBlocks: settings.maxLagBlocks ?? DEFAULTS.chain.maxLagBlocks,
    healthCheckIntervalMs: settings.healthCheckIntervalMs ?? DEFAULTS.chain.healthCheckIntervalMs,
    probeTimeoutMs: DEFAULTS.chain.probeTimeoutMs,
  };
}

/**
 * Where a side's entities are read: the embedded indexer's route, or the configured graph-nodes (by
 * preference, failing over as the chain's RPC endpoints do; a switch is logged).
 */
export function subgraphEndpointOf(
  settings: ChainSettings,
  side: SubgraphSide,
  indexer: EmbeddedIndexer | undefined,
  logger: Logger,
): { subgraph: SubgraphEndpoint; transport: StreamTransport } {
  const subgraph = settings.subgraph;
  if (subgraph.mode === 'embedded' && indexer) {
    const name = indexer.subgraphName(side);
    return { subgraph: { name: side, http: indexer.server.url(name), ws: indexer.server.wsUrl(name) }, transport: 'subscription' };
  }
  const failover = {
    maxLagBlocks: settings.maxLagBlocks ?? DEFAULTS.chain.maxLagBlocks,
    healthCheckIntervalMs: settings.healthCheckIntervalMs ?? DEFAULTS.chain.healthCheckIntervalMs,
    probeTimeoutMs: DEFAULTS.chain.probeTimeoutMs,
  };
  const onSwitch = (change: { from: string; to: string; reason: string }) => logger.warn({ subgraph: side, ...change }, 'subgraph endpoint switched');
  return { subgraph: { name: side, http: subgraph.http!, ws: subgraph.ws, failover, onSwitch }, transport: subgraph.transport ?? 'polling' };
}

/** What the embedded indexer needs of one chain, defaults applied. */
export function indexerChainOf(chain: { chainId: number; settings: ChainSettings }) {
  const { settings } = chain;
  return {
    chainId: chain.chainId,
    rpc: rpcEndpointsOf(settings.rpc, settings),
    confirmations: settings.confirmations ?? DEFAULTS.chain.confirmations,
    pollIntervalMs: Math.min(settings.pollIntervalMs ?? DEFAULTS.chain.indexerPollCapMs, DEFAULTS.chain.indexerPollCapMs),
  };
}

/** One chain's runtime options from its config settings, every default applied here and only here. */
export function chainRuntimeOf(
  chain: { chainId: number; settings: ChainSettings },
  endpoint: { subgraph: SubgraphEndpoint; transport: StreamTransport },
  workers: LocalSigner[],
): ChainRuntimeOptions {
  const { settings } = chain;
  const confirmations = settings.confirmations ?? DEFAULTS.chain.confirmations;
  const cap = settings.maxFeePerGas ?? settings.maxGasPrice;
  return {
    chainId: chain.chainId,
    rpc: rpcEndpointsOf(settings.rpc, settings),
    ...endpoint,
    confirmations,
    // The embedded indexer already waits for confirmations before indexing.
    streamConfirmations: settings.subgraph.mode === 'embedded' ? 0 : confirmations,
    pollIntervalMs: settings.pollIntervalMs ?? DEFAULTS.chain.pollIntervalMs,
    workers,
    stuckAfterMs: settings.stuckAfterMs ?? DEFAULTS.chain.stuckAfterMs,
    txType: settings.txType ?? DEFAULTS.chain.txType,
    maxFeePerGas: cap !== undefined ? BigInt(cap) : undefined,
  };
}

/** The facilitation policy from the config's `facilitation` section; absent values take the defaults later. */
export function policyOf(facilitation: FacilitatorConfig['facilitation']): Partial<FacilitationPolicy> {
  const f = facilitation ?? {};
  return {
    ...(f.supportedGateways ? { supportedGateways: new Set(f.supportedGateways.map((g) => g.toLowerCase())) } : {}),
    ...(f.minGasPrice ? { minGasPrice: BigInt(f.minGasPrice) } : {}),
    ...(f.minGasLimit ? { minGasLimit: BigInt(f.minGasLimit) } : {}),
    ...(f.minWorkerGasBalance ? { minWorkerGasBalance: BigInt(f.minWorkerGasBalance) } : {}),
    ...(f.bountyAllowanceBatch ? { bountyAllowanceBatch: BigInt(f.bountyAllowanceBatch) } : {}),
    ...(f.profitability?.enabled ? { profitability: profitabilityOf(f.profitability) } : {}),
  };
}

/** The profitability rule of an enabled `facilitation.profitability`, defaults applied (ostPerEth is checked present when the config loads). */
export function profitabilityOf(settings: ProfitabilitySettings): ProfitabilityPolicy {
  const { marginPercent, gas } = DEFAULTS.profitability;
  const flow = (given: FlowGasSettings | undefined, measured: { origin: bigint; auxiliary: bigint }) => ({
    origin: given?.origin !== undefined ? BigInt(given.origin) : measured.origin,
    auxiliary: given?.auxiliary !== undefined ? BigInt(given.auxiliary) : measured.auxiliary,
  });
  return {
    marginPercent: settings.marginPercent !== undefined ? BigInt(settings.marginPercent) : marginPercent,
    ostPerEth: exactFraction(settings.ostPerEth ?? ''),
    gas: { STAKE: flow(settings.gas?.stake, gas.STAKE), REDEEM: flow(settings.gas?.redeem, gas.REDEEM) },
  };
}

/** "12.5" → 125 / 10, exactly. */
function exactFraction(decimal: string): { numerator: bigint; denominator: bigint } {
  const [whole, fraction = ''] = decimal.split('.');
  if (!/^\d+$/.test(whole) || !/^\d*$/.test(fraction)) throw new Error(`not a decimal: ${decimal}`);
  return { numerator: BigInt(whole + fraction), denominator: 10n ** BigInt(fraction.length) };
}
