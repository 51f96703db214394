import type { LocalSigner } from '../chain/local-signer';
import type { ChainSettings, FacilitatorConfig, FlowGasSettings, ProfitabilitySettings } from '../config/facilitator-config';
import type { FacilitationPolicy, ProfitabilityPolicy } from '../facilitation/context';
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

/** What the embedded indexer needs of one chain, defaults applied. */
export function indexerChainOf(chain: { chainId: number; settings: ChainSettings }) {
  const { settings } = chain;
  return {
    chainId: chain.chainId,
    rpcUrl: settings.rpc,
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
    rpcUrl: settings.rpc,
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
