/** Values safe to put in a log line: no secrets, no SQL, no URLs with keys. */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface FacilitatorErrorOptions {
  cause?: unknown;
  details?: ErrorDetails;
}

/**
 * Base error of the facilitator: a short message, the cause chain, whether trying again can help, and
 * details safe to log. Callers decide what to do from the class and `retryable`, never from the text.
 */
export class FacilitatorError extends Error {
  override readonly name: string = 'FacilitatorError';
  readonly retryable: boolean;
  readonly details?: ErrorDetails;

  constructor(message: string, options: FacilitatorErrorOptions & { retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
    if (options.details) this.details = options.details;
  }
}

/** A failure that may pass on its own (node down, database busy): try again after a backoff. */
export class RetryableError extends FacilitatorError {
  override readonly name: string = 'RetryableError';
  constructor(message: string, options: FacilitatorErrorOptions = {}) {
    super(message, { ...options, retryable: true });
  }
}

/** A deterministic failure: the same input fails the same way, so the unit doing it stops. */
export class NonRetryableError extends FacilitatorError {
  override readonly name: string = 'NonRetryableError';
  constructor(message: string, options: FacilitatorErrorOptions = {}) {
    super(message, { ...options, retryable: false });
  }
}
