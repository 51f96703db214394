import type { RequestedStake } from '../src/devnet/demo-staker';
import type { Devnet } from '../src/devnet/devnet';
import { requestStakeOnDevnet } from '../src/devnet/devnet-stake';
import type { DevnetClocks } from './block-clock';
import { beneficiaryFor, type ProgressWatch } from './progress-watch';

/** A stake request as an independent staker follows it: its StakeRequested, then its mint and stake progress on chain. */
export interface TrackedRequest {
  staker: string;
  beneficiary: string;
  request: RequestedStake;
}

/** One staker requests a stake with a beneficiary of its own (tag, index), so its mint is recognisable. */
export async function trackedRequest(devnet: Devnet, staker: string, tag: number, index: number): Promise<TrackedRequest> {
  const beneficiary = beneficiaryFor(tag, index);
  return { staker, beneficiary, request: await requestStakeOnDevnet(devnet, staker, beneficiary) };
}

export function isMinted(watch: ProgressWatch, tracked: TrackedRequest): boolean {
  return watch.mintBlock(tracked.beneficiary) !== undefined;
}

/** Minted on the auxiliary chain and progressed on origin: the staker may request again. */
export function isComplete(watch: ProgressWatch, tracked: TrackedRequest): boolean {
  return isMinted(watch, tracked) && watch.stakeProgressed(tracked.request.stakerProxy, tracked.request.nonce);
}

/** Block of StakeRequested → block of MintProgressed, on the block clocks (undefined while not minted). */
export async function latencyMs(clocks: DevnetClocks, watch: ProgressWatch, tracked: TrackedRequest): Promise<number | undefined> {
  const mintBlock = watch.mintBlock(tracked.beneficiary);
  if (mintBlock === undefined) return undefined;
  return (await clocks.auxiliary.minedAt(mintBlock)) - (await clocks.origin.minedAt(tracked.request.blockNumber));
}

/** Last StakeRequested block → last MintProgressed block (the batch floor's wall), null unless all are minted. */
export async function wallMs(clocks: DevnetClocks, watch: ProgressWatch, batch: TrackedRequest[]): Promise<number | null> {
  if (batch.length === 0 || !batch.every((t) => isMinted(watch, t))) return null;
  const maxOf = (values: bigint[]) => values.reduce((a, b) => (a > b ? a : b));
  const lastRequested = await clocks.origin.minedAt(maxOf(batch.map((t) => t.request.blockNumber)));
  const lastMinted = await clocks.auxiliary.minedAt(maxOf(batch.map((t) => watch.mintBlock(t.beneficiary) ?? 0n)));
  return lastMinted - lastRequested;
}
