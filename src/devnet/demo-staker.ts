import type { ChainClient } from '../chain/chain-client';
import type { DirectSender } from '../chain/direct-sender';
import { contractInterface, Eip20Gateway, Eip20Token, OstComposer, type StakeRequestParams } from '../mosaic/contracts';

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

export interface StakeDefaults {
  amount: bigint;
  gasPrice: bigint;
  gasLimit: bigint;
}

/** Amount 100 OST; the reward cap gasPrice × gasLimit (0.001 OST) stays far below it. */
export const DEFAULT_STAKE: StakeDefaults = {
  amount: 100n * 10n ** 18n,
  gasPrice: 1_000_000_000n,
  gasLimit: 1_000_000n,
};

export interface RequestStakeOptions extends Partial<StakeDefaults> {
  client: ChainClient;
  composer: string;
  gateway: string;
  valueToken: string;
  staker: DirectSender;
  /** Defaults to the staker's own address (receives base coin on the auxiliary chain). */
  beneficiary?: string;
}

export interface RequestedStake extends StakeRequestParams {
  staker: string;
  stakerProxy: string;
  stakeRequestHash: string;
  transactionHash: string;
  blockNumber: bigint;
}

/** Nonce the composer expects: the gateway's nonce of the staker's proxy (0 before the proxy exists). */
export async function nextStakeNonce(composer: OstComposer, gateway: Eip20Gateway, staker: string): Promise<bigint> {
  const proxy = await composer.stakerProxy(staker);
  return proxy === ZERO_ADDRESS ? 0n : gateway.getNonce(proxy);
}

/** One staker: approve the composer, then requestStake. Returns what the StakeRequested event said. */
export async function requestStake(options: RequestStakeOptions): Promise<RequestedStake> {
  const composer = new OstComposer(options.client, options.composer);
  const gateway = new Eip20Gateway(options.client, options.gateway);
  const token = new Eip20Token(options.client, options.valueToken);
  const staker = options.staker.address;
  const params: StakeRequestParams = {
    amount: options.amount ?? DEFAULT_STAKE.amount,
    gasPrice: options.gasPrice ?? DEFAULT_STAKE.gasPrice,
    gasLimit: options.gasLimit ?? DEFAULT_STAKE.gasLimit,
    beneficiary: (options.beneficiary ?? staker).toLowerCase(),
    nonce: await nextStakeNonce(composer, gateway, staker),
    gateway: options.gateway.toLowerCase(),
  };
  if (params.amount <= params.gasPrice * params.gasLimit) {
    throw new Error(
      `stake amount ${params.amount} must exceed gasPrice × gasLimit (${params.gasPrice * params.gasLimit}): raise --amount or lower --gas-price/--gas-limit`,
    );
  }
  await options.staker.send(token.approve(options.composer, params.amount));
  const receipt = await options.staker.send(composer.requestStake(params));
  const event = contractInterface('OSTComposer')
    .decodeLogs(receipt.logs, options.composer)
    .find((e) => e.name === 'StakeRequested');
  if (!event) throw new Error(`requestStake ${receipt.transactionHash} emitted no StakeRequested event`);
  return {
    ...params,
    staker,
    stakerProxy: String(event.args.stakerProxy).toLowerCase(),
    stakeRequestHash: String(event.args.stakeRequestHash),
    transactionHash: receipt.transactionHash,
    blockNumber: BigInt(receipt.blockNumber),
  };
}

/** Several stakers at once (distinct keys, so their sends run concurrently). */
export async function requestStakes(
  stakers: DirectSender[],
  options: Omit<RequestStakeOptions, 'staker'>,
): Promise<RequestedStake[]> {
  return Promise.all(stakers.map((staker) => requestStake({ ...options, staker })));
}
