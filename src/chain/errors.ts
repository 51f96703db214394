/** Base error of the facilitator: a short message, optional details, and the cause chain. */
export class FacilitatorError extends Error {
  override readonly name: string = 'FacilitatorError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A JSON-RPC call answered with an error object, or did not answer in time. */
export class RpcError extends FacilitatorError {
  override readonly name = 'RpcError';
  constructor(
    message: string,
    readonly method: string,
    readonly code?: number,
    readonly data?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A contract call or transaction reverted; `reason` is the decoded revert string when there is one. */
export class RevertError extends FacilitatorError {
  override readonly name = 'RevertError';
  constructor(
    readonly contractMethod: string,
    readonly reason: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`${contractMethod} reverted${reason !== undefined ? `: ${reason}` : ' without a reason'}`, options);
  }
}
