import { FacilitatorError, type FacilitatorErrorOptions } from './facilitator-error';

/**
 * An error the user fixes (a config file, a command-line argument): never retried, shown as one line
 * without a stack trace.
 */
export abstract class UserFacingError extends FacilitatorError {
  constructor(message: string, options: FacilitatorErrorOptions = {}) {
    super(message, { ...options, retryable: false });
  }
}

/** A configuration file or value is wrong. */
export class ConfigError extends UserFacingError {
  override readonly name: string = 'ConfigError';
}

/** A command-line argument or request input is wrong. */
export class UserInputError extends UserFacingError {
  override readonly name: string = 'UserInputError';
}

/** One line for a user: the message of a user-facing error, else its class and message, without newlines. */
export function oneLine(error: unknown): string {
  const text = error instanceof UserFacingError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
