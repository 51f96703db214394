import { DEFAULT_REDEEM } from '../src/devnet/demo-redeemer';
import type { Devnet } from '../src/devnet/devnet';
import { requestRedeemOnDevnet } from '../src/devnet/devnet-redeem';
import { requestStakeOnDevnet } from '../src/devnet/devnet-stake';
import { scriptedStakeAndMint } from '../src/devnet/scripted-stake-and-mint';
import type { BlockClock, DevnetClocks } from './block-clock';
import { beneficiaryFor, type ProgressWatch } from './progress-watch';

/**
 * A request as an independent user follows it: its StakeRequested (origin) or RedeemRequested
 * (auxiliary), then its arrival (MintProgressed / UnstakeProgressed) and source-side progress on chain.
 */
export interface TrackedRequest {
  /** The staker or redeemer. */
  account: string;
  beneficiary: string;
  /** Block of StakeRequested (origin) or RedeemRequested (auxiliary). */
  requestBlock: bigint;
  /** The StakerProxy or RedeemerProxy, and its nonce: the message's sender. */
  proxy: string;
  nonce: bigint;
}

/** Makes one request of `account` with a beneficiary of its own (tag, index), so its arrival is recognisable. */
export type RequestMaker = (devnet: Devnet, account: string, tag: number, index: number) => Promise<TrackedRequest>;

/** One staker requests a stake (the demo staker's defaults: 100 OST). */
export const trackedRequest: RequestMaker = async (devnet, staker, tag, index) => {
  const beneficiary = beneficiaryFor(tag, index);
  const request = await requestStakeOnDevnet(devnet, staker, beneficiary);
  return { account: staker, beneficiary, requestBlock: request.blockNumber, proxy: request.stakerProxy, nonce: request.nonce };
};

/** One redeemer wraps, approves and requests a redeem (the demo redeemer's defaults: 10 OST′). */
export const trackedRedeem: RequestMaker = async (devnet, redeemer, tag, index) => {
  const beneficiary = beneficiaryFor(tag, index);
  const request = await requestRedeemOnDevnet(devnet, redeemer, { beneficiary });
  return { account: redeemer, beneficiary, requestBlock: request.blockNumber, proxy: request.redeemerProxy, nonce: request.nonce };
};

/** Arrived on the target chain: minted (stake) or unstaked (redeem). */
export function hasArrived(watch: ProgressWatch, tracked: TrackedRequest): boolean {
  return watch.arrivalBlock(tracked.beneficiary) !== undefined;
}

/** Arrived and progressed on the source chain: the account may request again. */
export function isComplete(watch: ProgressWatch, tracked: TrackedRequest): boolean {
  return hasArrived(watch, tracked) && watch.sourceProgressed(tracked.proxy, tracked.nonce);
}

/** The clocks of the chain where requests are made and of the one where they arrive. */
function clocksOf(clocks: DevnetClocks, watch: ProgressWatch): { source: BlockClock; target: BlockClock } {
  return watch.direction === 'STAKE' ? { source: clocks.origin, target: clocks.auxiliary } : { source: clocks.auxiliary, target: clocks.origin };
}

/** Block of the request → block of its arrival, on the block clocks (undefined while not arrived). */
export async function latencyMs(clocks: DevnetClocks, watch: ProgressWatch, tracked: TrackedRequest): Promise<number | undefined> {
  const arrivalBlock = watch.arrivalBlock(tracked.beneficiary);
  if (arrivalBlock === undefined) return undefined;
  const { source, target } = clocksOf(clocks, watch);
  return (await target.minedAt(arrivalBlock)) - (await source.minedAt(tracked.requestBlock));
}

/** Last request block → last arrival block (the batch floor's wall), null unless all arrived. */
export async function wallMs(clocks: DevnetClocks, watch: ProgressWatch, batch: TrackedRequest[]): Promise<number | null> {
  if (batch.length === 0 || !batch.every((t) => hasArrived(watch, t))) return null;
  const maxOf = (values: bigint[]) => values.reduce((a, b) => (a > b ? a : b));
  const { source, target } = clocksOf(clocks, watch);
  const lastRequested = await source.minedAt(maxOf(batch.map((t) => t.requestBlock)));
  const lastArrived = await target.minedAt(maxOf(batch.map((t) => watch.arrivalBlock(t.beneficiary) ?? 0n)));
  return lastArrived - lastRequested;
}

/**
 * Lets `redeems` demo redemptions wrap their OSTPrime: OSTPrime wraps only base coin that stake & mint
 * released on the auxiliary chain, so `funder` stakes and mints that much first (sent directly, before
 * anything is timed). The gateway's stake vault then also holds the OST the unstakes pay out.
 */
export async function mintForRedeems(devnet: Devnet, funder: string, worker: string, redeems: number): Promise<void> {
  await scriptedStakeAndMint(devnet, { staker: funder, worker, amount: BigInt(redeems + 1) * DEFAULT_REDEEM.amount });
}
