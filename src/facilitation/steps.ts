/**
 * The transactions the facilitator sends, typed. The outbox keys each by (chain, purpose, subject) so
 * that a step is sent at most once; this module alone turns a step into that key and back (the strings
 * are those of existing databases).
 */
export type FacilitationStep =
  /** The `attempt`-th acceptStakeRequest of a request (a failed attempt changed nothing on chain). */
  | { kind: 'accept'; stakeRequestHash: string; attempt: number }
  /** A bounty allowance top-up of an origin worker, from the allowance it had (`at`: when, ms; top-ups repeat). */
  | { kind: 'approveBounty'; worker: string; allowance: bigint; at: number }
  /** proveGateway of the origin gateway at an anchored origin height. */
  | { kind: 'prove'; gateway: string; height: bigint }
  /** confirmStakeIntent of a message with the proof at `height`. */
  | { kind: 'confirm'; messageHash: string; height: bigint }
  | { kind: 'progressStake'; messageHash: string }
  | { kind: 'progressMint'; messageHash: string }
  /** The `attempt`-th acceptRedeemRequest of a redeem request (auxiliary; pays the bounty in base coin). */
  | { kind: 'acceptRedeem'; redeemRequestHash: string; attempt: number }
  /** gateway.proveGateway on origin with the cogateway's storage at an anchored auxiliary height. */
  | { kind: 'proveCoGateway'; coGateway: string; height: bigint }
  /** gateway.confirmRedeemIntent (origin) of a message with the proof at `height`. */
  | { kind: 'confirmRedeem'; messageHash: string; height: bigint }
  | { kind: 'progressRedeem'; messageHash: string }
  | { kind: 'progressUnstake'; messageHash: string };

export type StepKind = FacilitationStep['kind'];

export const STEP_PURPOSES = {
  accept: 'acceptStakeRequest',
  approveBounty: 'approveBounty',
  prove: 'proveGateway',
  confirm: 'confirmStakeIntent',
  progressStake: 'progressStake',
  progressMint: 'progressMint',
  acceptRedeem: 'acceptRedeemRequest',
  proveCoGateway: 'proveCoGateway',
  confirmRedeem: 'confirmRedeemIntent',
  progressRedeem: 'progressRedeem',
  progressUnstake: 'progressUnstake',
} as const satisfies Record<StepKind, string>;

const PROGRESS_KINDS = {
  progressStake: 'progressStake',
  progressMint: 'progressMint',
  progressRedeem: 'progressRedeem',
  progressUnstake: 'progressUnstake',
} as const;

export interface OutboxKey {
  purpose: string;
  subject: string;
}

export function encodeStep(step: FacilitationStep): OutboxKey {
  const purpose = STEP_PURPOSES[step.kind];
  switch (step.kind) {
    case 'accept':
      return { purpose, subject: step.attempt === 0 ? step.stakeRequestHash : `${step.stakeRequestHash}#${step.attempt}` };
    case 'approveBounty':
      return { purpose, subject: `${step.worker}@${step.allowance}:${step.at}` };
    case 'acceptRedeem':
      return { purpose, subject: step.attempt === 0 ? step.redeemRequestHash : `${step.redeemRequestHash}#${step.attempt}` };
    case 'prove':
      return { purpose, subject: `${step.gateway}@${step.height}` };
    case 'proveCoGateway':
      return { purpose, subject: `${step.coGateway}@${step.height}` };
    case 'confirm':
    case 'confirmRedeem':
      return { purpose, subject: `${step.messageHash}@${step.height}` };
    case 'progressStake':
    case 'progressMint':
    case 'progressRedeem':
    case 'progressUnstake':
      return { purpose, subject: step.messageHash };
  }
}

/** The step an outbox record is, or undefined for a purpose this facilitator never sends. */
export function decodeStep(key: OutboxKey): FacilitationStep | undefined {
  const { purpose, subject } = key;
  switch (purpose) {
    case STEP_PURPOSES.accept: {
      const [stakeRequestHash, attempt] = subject.split('#');
      return { kind: 'accept', stakeRequestHash, attempt: attempt === undefined ? 0 : Number(attempt) };
    }
    case STEP_PURPOSES.approveBounty: {
      const [worker, rest] = subject.split('@');
      const [allowance, at] = (rest ?? '').split(':');
      return { kind: 'approveBounty', worker, allowance: BigInt(allowance || '0'), at: Number(at ?? 0) };
    }
    case STEP_PURPOSES.prove: {
      const [gateway, height] = subject.split('@');
      return { kind: 'prove', gateway, height: BigInt(height) };
    }
    case STEP_PURPOSES.confirm: {
      const [messageHash, height] = subject.split('@');
      return { kind: 'confirm', messageHash, height: BigInt(height) };
    }
    case STEP_PURPOSES.acceptRedeem: {
      const [redeemRequestHash, attempt] = subject.split('#');
      return { kind: 'acceptRedeem', redeemRequestHash, attempt: attempt === undefined ? 0 : Number(attempt) };
    }
    case STEP_PURPOSES.proveCoGateway: {
      const [coGateway, height] = subject.split('@');
      return { kind: 'proveCoGateway', coGateway, height: BigInt(height) };
    }
    case STEP_PURPOSES.confirmRedeem: {
      const [messageHash, height] = subject.split('@');
      return { kind: 'confirmRedeem', messageHash, height: BigInt(height) };
    }
    case STEP_PURPOSES.progressStake:
    case STEP_PURPOSES.progressMint:
    case STEP_PURPOSES.progressRedeem:
    case STEP_PURPOSES.progressUnstake:
      return { kind: PROGRESS_KINDS[purpose], messageHash: subject };
    default:
      return undefined;
  }
}
