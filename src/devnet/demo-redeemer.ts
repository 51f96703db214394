import type { ChainClient, RpcReceipt } from '../chain/chain-client';
import type { DirectSender } from '../chain/direct-sender';
import { NonRetryableError } from '../errors';
import { contractInterface, Eip20CoGateway, OstPrime } from '../mosaic/contracts';
import { RedeemPool, type RedeemRequestParams } from '../mosaic/redeem-contracts';

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

export interface RedeemDefaults {
  amount: bigint;
  gasPrice: bigint;
  gasLimit: bigint;
}

/** Amount 10 OST′ (a tenth of a default stake); the reward cap gasPrice × gasLimit (0.001 OST) stays far below it. */
export const DEFAULT_REDEEM: RedeemDefaults = {
  amount: 10n * 10n ** 18n,
  gasPrice: 1_000_000_000n,
  gasLimit: 1_000_000n,
};

export interface RedeemContracts {
  /** Auxiliary chain client. */
  client: ChainClient;
  ostPrime: string;
  redeemPool: string;
  coGateway: string;
}

export interface RequestRedeemOptions extends RedeemContracts, Partial<RedeemDefaults> {
  redeemer: DirectSender;
  /** Receiver of the OST on origin; defaults to the redeemer's own address. */
  beneficiary?: string;
}

export interface RequestedRedeem extends RedeemRequestParams {
  redeemer: string;
  redeemerProxy: string;
  redeemRequestHash: string;
  /** Base coin wrapped into OSTPrime for this request (0 when the redeemer already held enough). */
  wrapped: bigint;
  transactionHash: string;
  blockNumber: bigint;
}

/**
 * The OSTPrime contract cannot wrap as much base coin as asked: it only holds, as OSTPrime tokens, what
 * stake & mint released on this chain. Redeeming needs a prior stake & mint.
 */
export class NothingToWrapError extends NonRetryableError {
  override readonly name = 'NothingToWrapError';
  constructor(
    readonly needed: bigint,
    readonly wrappable: bigint,
  ) {
    super(
      `OSTPrime can wrap only ${wrappable} wei of base coin, ${needed} needed: a redeem returns value minted by an earlier stake & mint (run \`facilitator dev stake\` and let a facilitator mint it first)`,
    );
  }
}

/** Nonce the redeem pool expects: the cogateway's nonce of the redeemer's proxy (0 before the proxy exists). */
export async function nextRedeemNonce(pool: RedeemPool, coGateway: Eip20CoGateway, redeemer: string): Promise<bigint> {
  const proxy = await pool.redeemerProxy(redeemer);
  return proxy === ZERO_ADDRESS ? 0n : coGateway.getNonce(proxy);
}

/** OSTPrime the redeemer lacks for `amount`; refuses up front when the contract cannot wrap that much. */
export async function wrapShortfall(ostPrime: OstPrime, redeemer: string, amount: bigint): Promise<bigint> {
  const held = await ostPrime.balanceOf(redeemer);
  const shortfall = held >= amount ? 0n : amount - held;
  const wrappable = await ostPrime.wrappable();
  if (shortfall > wrappable) throw new NothingToWrapError(shortfall, wrappable);
  return shortfall;
}

/**
 * One redeemer: wraps the base coin it lacks into OSTPrime, approves the redeem pool, then requestRedeem.
 * Returns what the RedeemRequested event said. An amount ≤ gasPrice × gasLimit is sent as asked: the pool
 * takes it, no worker can accept it (the facilitator must cope with such requests).
 */
export async function requestRedeem(options: RequestRedeemOptions): Promise<RequestedRedeem> {
  const pool = new RedeemPool(options.client, options.redeemPool);
  const coGateway = new Eip20CoGateway(options.client, options.coGateway);
  const ostPrime = new OstPrime(options.client, options.ostPrime);
  const redeemer = options.redeemer.address;
  const params: RedeemRequestParams = {
    amount: options.amount ?? DEFAULT_REDEEM.amount,
    gasPrice: options.gasPrice ?? DEFAULT_REDEEM.gasPrice,
    gasLimit: options.gasLimit ?? DEFAULT_REDEEM.gasLimit,
    beneficiary: (options.beneficiary ?? redeemer).toLowerCase(),
    nonce: await nextRedeemNonce(pool, coGateway, redeemer),
    cogateway: coGateway.address,
  };
  const wrapped = await wrapShortfall(ostPrime, redeemer, params.amount);
  if (wrapped > 0n) await options.redeemer.send(ostPrime.wrap(wrapped));
  await options.redeemer.send(ostPrime.approve(pool.address, params.amount));
  const receipt = await options.redeemer.send(pool.requestRedeem(params));
  const event = contractInterface('RedeemPool')
    .decodeLogs(receipt.logs, pool.address)
    .find((e) => e.name === 'RedeemRequested');
  if (!event) throw new Error(`requestRedeem ${receipt.transactionHash} emitted no RedeemRequested event`);
  return {
    ...params,
    redeemer,
    redeemerProxy: String(event.args.redeemerProxy).toLowerCase(),
    redeemRequestHash: String(event.args.redeemRequestHash).toLowerCase(),
    wrapped,
    transactionHash: receipt.transactionHash,
    blockNumber: BigInt(receipt.blockNumber),
  };
}

/** The redeemer takes its open request back (its OSTPrime returns from the pool). */
export function revokeRedeem(
  options: Pick<RedeemContracts, 'client' | 'redeemPool'> & { redeemer: DirectSender; request: RedeemRequestParams },
): Promise<RpcReceipt> {
  const pool = new RedeemPool(options.client, options.redeemPool);
  return options.redeemer.send(pool.revokeRedeemRequest(options.request));
}

/** Several redeemers at once (distinct keys, so their sends run concurrently). */
export async function requestRedeems(
  redeemers: DirectSender[],
  options: Omit<RequestRedeemOptions, 'redeemer'>,
): Promise<RequestedRedeem[]> {
  return Promise.all(redeemers.map((redeemer) => requestRedeem({ ...options, redeemer })));
}
