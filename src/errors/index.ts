export { backoffDelay, type BackoffPolicy } from './backoff';
export { causeChain, findCause, isRetryable, messageOf } from './cause-chain';
export { FacilitatorError, NonRetryableError, RetryableError, type ErrorDetails, type FacilitatorErrorOptions } from './facilitator-error';
export { StoppedUnits, stoppedUnits, type StoppedUnit, type UnitKind } from './stopped-units';
export { ConfigError, oneLine, UserFacingError, UserInputError } from './user-errors';
