import type { FacilitationContext, ProfitabilityPolicy } from './context';
import type { Direction, StakeRequestRecord } from './model';

/** The numbers behind one accept-or-ignore decision, all exact (wei). */
export interface ProfitabilityVerdict {
  profitable: boolean;
  direction: Direction;
  /** gasPrice × gasLimit of the request: the most it pays, in value-token wei (OSTPrime for a stake, OST for a redeem). */
  offeredReward: bigint;
  gasPrice: bigint;
  gasLimit: bigint;
  /** Expected gas of the whole flow on each chain (policy). */
  originGas: bigint;
  auxiliaryGas: bigint;
  /** Wei per gas a transaction is expected to pay now on each chain. */
  originFeePerGas: bigint;
  auxiliaryFeePerGas: bigint;
  /** originGas × originFeePerGas, in ETH wei. */
  originCost: bigint;
  /** The same in OST wei, at the policy's ostPerEth (rounded up: the cautious side). */
  originCostInOst: bigint;
  /** auxiliaryGas × auxiliaryFeePerGas, in OSTPrime wei (one OST each). */
  auxiliaryCost: bigint;
  /** (originCostInOst + auxiliaryCost) × marginPercent / 100, rounded up: the least reward accepted. */
  requiredReward: bigint;
  marginPercent: bigint;
  ostPerEth: string;
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** `numerator / denominator` as the decimal it was written as (denominators are powers of ten). */
function fractionText({ numerator, denominator }: ProfitabilityPolicy['ostPerEth']): string {
  const digits = denominator.toString().length - 1;
  if (digits === 0) return numerator.toString();
  const text = numerator.toString().padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`.replace(/\.?0+$/, '');
}

/**
 * The rule, pure: a request is profitable when its offered reward covers the expected gas of its whole
 * flow on both chains at the given fees, times the margin.
 */
export function judgeProfitability(
  request: Pick<StakeRequestRecord, 'direction' | 'gasPrice' | 'gasLimit'>,
  policy: ProfitabilityPolicy,
  fees: { origin: bigint; auxiliary: bigint },
): ProfitabilityVerdict {
  const gas = policy.gas[request.direction];
  const originCost = gas.origin * fees.origin;
  const originCostInOst = ceilDiv(originCost * policy.ostPerEth.numerator, policy.ostPerEth.denominator);
  const auxiliaryCost = gas.auxiliary * fees.auxiliary;
  const requiredReward = ceilDiv((originCostInOst + auxiliaryCost) * policy.marginPercent, 100n);
  const offeredReward = request.gasPrice * request.gasLimit;
  return {
    profitable: offeredReward >= requiredReward,
    direction: request.direction,
    offeredReward,
    gasPrice: request.gasPrice,
    gasLimit: request.gasLimit,
    originGas: gas.origin,
    auxiliaryGas: gas.auxiliary,
    originFeePerGas: fees.origin,
    auxiliaryFeePerGas: fees.auxiliary,
    originCost,
    originCostInOst,
    auxiliaryCost,
    requiredReward,
    marginPercent: policy.marginPercent,
    ostPerEth: fractionText(policy.ostPerEth),
  };
}

/** One line with every number of the decision, as the request's history keeps it. */
export function describeVerdict(v: ProfitabilityVerdict): string {
  const comparison = v.profitable ? '≥' : '<';
  return (
    `${v.profitable ? 'profitable' : 'unprofitable'}: offered reward ${v.offeredReward} wei (gasPrice ${v.gasPrice} × gasLimit ${v.gasLimit}) ` +
    `${comparison} required ${v.requiredReward} wei (expected cost × margin ${v.marginPercent}%); ` +
    `origin ${v.originGas} gas × ${v.originFeePerGas} wei/gas = ${v.originCost} wei ETH = ${v.originCostInOst} wei OST at ${v.ostPerEth} OST/ETH; ` +
    `auxiliary ${v.auxiliaryGas} gas × ${v.auxiliaryFeePerGas} wei/gas = ${v.auxiliaryCost} wei OSTPrime`
  );
}

/** The verdict on a request at both chains' current fees, or undefined when the rule is off. */
export async function checkProfitability(context: FacilitationContext, request: StakeRequestRecord): Promise<ProfitabilityVerdict | undefined> {
  const policy = context.policy.profitability;
  if (!policy) return undefined;
  const [origin, auxiliary] = await Promise.all([context.origin.fees.expectedFeePerGas(), context.auxiliary.fees.expectedFeePerGas()]);
  return judgeProfitability(request, policy, { origin, auxiliary });
}
