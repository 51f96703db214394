import { NonRetryableError } from '../errors/facilitator-error';

export { NodeError } from './node-errors';

/** A contract call or transaction reverted; `reason` is the decoded revert string when there is one. */
export class RevertError extends NonRetryableError {
  override readonly name = 'RevertError';
  constructor(
    readonly contractMethod: string,
    readonly reason: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`${contractMethod} reverted${reason !== undefined ? `: ${reason}` : ' without a reason'}`, { cause: options?.cause, details: { contractMethod } });
  }
}
