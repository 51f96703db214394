import type { ChainClient } from './chain-client';
import { NodeError } from './node-errors';

/** What a transaction pays per gas: a type-2 fee pair on chains with a base fee, a gas price otherwise. */
export type Fees =
  | { type: 'eip1559'; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
  | { type: 'legacy'; gasPrice: bigint };

/** Per chain: `auto` picks type 2 when the chain's blocks carry a base fee. */
export type TxTypeSetting = 'auto' | 'eip1559' | 'legacy';

/** The least a transaction would have to pay per gas now, above the chain's cap: the send waits. */
export interface FeeCapExceeded {
  neededPerGas: bigint;
  capPerGas: bigint;
}

export type FeeQuote = { fees: Fees } | { waiting: FeeCapExceeded };

/** Replacement minimum of the nodes for a same-nonce transaction, in per-mille (geth: +10%, anvil: accepts +12.5%). */
export const REPLACEMENT_BUMP_PERMILLE = 125n;

/** The highest per-gas amount a transaction may spend (the cap compares against it). */
export function maxPerGas(fees: Fees): bigint {
  return fees.type === 'eip1559' ? fees.maxFeePerGas : fees.gasPrice;
}

/**
 * The README's formula, for the next block: maxPriorityFeePerGas = the node's suggestion;
 * maxFeePerGas = 2 × next base fee + priority (room for six full blocks of +12.5% before it falls short).
 * Under a cap: maxFeePerGas = min(formula, cap); when the cap is below next base fee + priority the
 * transaction could not be included at all, so the send waits.
 */
export function eip1559Fees(nextBaseFee: bigint, priority: bigint, cap: bigint | undefined): FeeQuote {
  const needed = nextBaseFee + priority;
  if (cap !== undefined && cap < needed) return { waiting: { neededPerGas: needed, capPerGas: cap } };
  let maxFeePerGas = 2n * nextBaseFee + priority;
  if (cap !== undefined && maxFeePerGas > cap) maxFeePerGas = cap;
  return { fees: { type: 'eip1559', maxFeePerGas, maxPriorityFeePerGas: priority } };
}

export function legacyFees(gasPrice: bigint, cap: bigint | undefined): FeeQuote {
  if (cap !== undefined && cap < gasPrice) return { waiting: { neededPerGas: gasPrice, capPerGas: cap } };
  return { fees: { type: 'legacy', gasPrice } };
}

const bumped = (value: bigint) => (value * (1000n + REPLACEMENT_BUMP_PERMILLE) + 999n) / 1000n + 1n;

/**
 * Fees of a same-nonce replacement: every fee field raised by at least the replacement minimum, and at
 * least today's quote (the base fee may have risen under the pending transaction). A replacement the cap
 * does not allow is `waiting`: the pending transaction stays as it is.
 */
export function replacementFees(previous: Fees, current: Fees, cap: bigint | undefined): FeeQuote {
  if (previous.type === 'legacy') {
    const wanted = current.type === 'legacy' ? current.gasPrice : current.maxFeePerGas;
    const gasPrice = bumped(previous.gasPrice) > wanted ? bumped(previous.gasPrice) : wanted;
    return legacyFees(gasPrice, cap);
  }
  const currentMax = current.type === 'eip1559' ? current.maxFeePerGas : current.gasPrice;
  const currentTip = current.type === 'eip1559' ? current.maxPriorityFeePerGas : 0n;
  const tip = bumped(previous.maxPriorityFeePerGas) > currentTip ? bumped(previous.maxPriorityFeePerGas) : currentTip;
  let maxFee = bumped(previous.maxFeePerGas) > currentMax ? bumped(previous.maxFeePerGas) : currentMax;
  if (maxFee < tip) maxFee = tip;
  if (cap !== undefined && maxFee > cap) return { waiting: { neededPerGas: maxFee, capPerGas: cap } };
  return { fees: { type: 'eip1559', maxFeePerGas: maxFee, maxPriorityFeePerGas: tip } };
}

interface FeeHistory {
  baseFeePerGas: string[];
  reward?: string[][];
}

const median = (values: bigint[]) => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[Math.floor(values.length / 2)];

/**
 * Fees from the node, for one chain: eth_feeHistory gives the next block's base fee (the last entry of
 * baseFeePerGas), eth_maxPriorityFeePerGas the tip (falling back to the median of the last blocks' median
 * rewards where a node lacks the method). Legacy chains use eth_gasPrice.
 */
/** What the node says now, before any cap: the next block's base fee and tip, or a legacy gas price. */
type Market = { type: 'eip1559'; nextBaseFee: bigint; priority: bigint } | { type: 'legacy'; gasPrice: bigint };

export class FeeOracle {
  private resolvedType: 'eip1559' | 'legacy' | undefined;
  private cached: { at: number; market: Promise<Market> } | undefined;

  /** `maxAgeMs`: node answers are reused this long (a burst of sends asks the node once). */
  constructor(
    private readonly client: ChainClient,
    private readonly setting: TxTypeSetting = 'auto',
    readonly cap?: bigint,
    private readonly maxAgeMs = 250,
  ) {
    if (setting !== 'auto') this.resolvedType = setting;
  }

  /** The transaction type this chain gets: decided once from the latest block (a base fee there means type 2). */
  async txType(): Promise<'eip1559' | 'legacy'> {
    if (!this.resolvedType) {
      const latest = await this.client.getBlock('latest');
      this.resolvedType = latest.baseFeePerGas !== undefined && latest.baseFeePerGas !== null ? 'eip1559' : 'legacy';
    }
    return this.resolvedType;
  }

  /** Fees for a new transaction under the cap, or how far the cap is below what the chain needs. */
  async quote(): Promise<FeeQuote> {
    return this.priced(await this.market(), this.cap);
  }

  /**
   * What a transaction sent now is expected to pay per gas, before any cap: next base fee + tip on a
   * type-2 chain (maxFeePerGas is only its ceiling), the gas price on a legacy one. Costs are judged on it.
   */
  async expectedPerGas(): Promise<bigint> {
    const market = await this.market();
    return market.type === 'legacy' ? market.gasPrice : market.nextBaseFee + market.priority;
  }

  /** Today's fees without the cap (a replacement compares its bump against them). */
  async uncapped(): Promise<Fees> {
    const quote = this.priced(await this.market(), undefined);
    if ('waiting' in quote) throw new Error('unreachable: no cap, no wait');
    return quote.fees;
  }

  private priced(market: Market, cap: bigint | undefined): FeeQuote {
    return market.type === 'legacy' ? legacyFees(market.gasPrice, cap) : eip1559Fees(market.nextBaseFee, market.priority, cap);
  }

  private market(): Promise<Market> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.maxAgeMs) {
      const market = this.fetchMarket();
      this.cached = { at: now, market };
      market.catch(() => (this.cached = undefined));
    }
    return this.cached.market;
  }

  private async fetchMarket(): Promise<Market> {
    if ((await this.txType()) === 'legacy') return { type: 'legacy', gasPrice: await this.client.gasPrice() };
    const history = await this.client.rpc.request<FeeHistory>('eth_feeHistory', ['0x5', 'latest', [50]]);
    const nextBaseFee = BigInt(history.baseFeePerGas[history.baseFeePerGas.length - 1]);
    return { type: 'eip1559', nextBaseFee, priority: await this.priorityFee(history) };
  }

  private async priorityFee(history: FeeHistory): Promise<bigint> {
    try {
      return BigInt(await this.client.rpc.request<string>('eth_maxPriorityFeePerGas'));
    } catch (error) {
      // A node without the method answers with an error object (a code); a transport failure has none.
      if (!(error instanceof NodeError) || error.code === undefined) throw error;
      const rewards = (history.reward ?? []).map((r) => BigInt(r[0] ?? '0x0'));
      return rewards.length > 0 ? median(rewards) : 0n;
    }
  }
}
