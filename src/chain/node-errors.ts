import { FacilitatorError, type ErrorDetails } from '../errors/facilitator-error';
import { revertReasonInData } from './revert-reason';

/**
 * Node errors, classified once where a JSON-RPC answer arrives (json-rpc.ts): callers act on the class,
 * never on the message. Every regular expression over a node's wording lives in this file.
 */

/** What a JSON-RPC failure is about: the call, and the node's error object when it answered with one. */
export interface NodeErrorInput {
  method: string;
  /** The endpoint, already redacted (never the raw URL: it may carry a key). */
  endpoint?: string;
  code?: number;
  /** The node's own message, or what the transport said. */
  nodeMessage: string;
  data?: unknown;
  cause?: unknown;
}

/** A JSON-RPC call failed: answered with an error object, or not answered at all. */
export abstract class NodeError extends FacilitatorError {
  override readonly name: string = 'NodeError';
  readonly method: string;
  /** The JSON-RPC error code, when the node answered with an error object. */
  readonly code?: number;
  readonly data?: unknown;
  readonly nodeMessage: string;

  constructor(input: NodeErrorInput, retryable: boolean, message = `${input.method}: ${input.nodeMessage}`) {
    const details: ErrorDetails = { method: input.method, code: input.code, endpoint: input.endpoint };
    super(message, { cause: input.cause, details, retryable });
    this.method = input.method;
    this.code = input.code;
    this.data = input.data;
    this.nodeMessage = input.nodeMessage;
  }
}

/** The node refuses the transaction as signed (funds, fees, gas, signature): sending it again will not help. */
export abstract class TransactionRejectedError extends NodeError {
  override readonly name: string = 'TransactionRejectedError';
  constructor(input: NodeErrorInput) {
    super(input, false);
  }
}

export class InsufficientFundsError extends TransactionRejectedError {
  override readonly name: string = 'InsufficientFundsError';
}
/** The fee per gas is under the block's base fee or the pool's minimum. */
export class FeeCapTooLowError extends TransactionRejectedError {
  override readonly name: string = 'FeeCapTooLowError';
}
/** The pool holds a transaction with this nonce and the new one does not pay enough more to replace it. */
export class ReplacementUnderpricedError extends TransactionRejectedError {
  override readonly name: string = 'ReplacementUnderpricedError';
}
export class IntrinsicGasTooLowError extends TransactionRejectedError {
  override readonly name: string = 'IntrinsicGasTooLowError';
}
export class GasLimitExceededError extends TransactionRejectedError {
  override readonly name: string = 'GasLimitExceededError';
}
export class InvalidSenderError extends TransactionRejectedError {
  override readonly name: string = 'InvalidSenderError';
}

/** The nonce was used already (the transaction, or another one, is mined). */
export class NonceTooLowError extends NodeError {
  override readonly name: string = 'NonceTooLowError';
  constructor(input: NodeErrorInput) {
    super(input, false);
  }
}
/** Above a nonce gap: may pass once the transactions below are in. */
export class NonceTooHighError extends NodeError {
  override readonly name: string = 'NonceTooHighError';
  constructor(input: NodeErrorInput) {
    super(input, true);
  }
}
/** The node already has this very transaction: nothing to do. */
export class TransactionAlreadyKnownError extends NodeError {
  override readonly name: string = 'TransactionAlreadyKnownError';
  constructor(input: NodeErrorInput) {
    super(input, false);
  }
}

/** The EVM reverted; `reason` is the decoded revert string when there is one. */
export class ExecutionRevertedError extends NodeError {
  override readonly name: string = 'ExecutionRevertedError';
  readonly reason: string | undefined;
  constructor(input: NodeErrorInput) {
    super(input, false);
    this.reason = revertReasonOf(input.nodeMessage, input.data);
  }
}

/** The node does not have the block (yet, or any more on its side of a load balancer). */
export class UnknownBlockError extends NodeError {
  override readonly name: string = 'UnknownBlockError';
  constructor(input: NodeErrorInput) {
    super(input, true);
  }
}
/** The node refuses the request's size (eth_getLogs range, results, response bytes): ask for less. */
export class RangeTooLargeError extends NodeError {
  override readonly name: string = 'RangeTooLargeError';
  constructor(input: NodeErrorInput) {
    super(input, true);
  }
}
/** No answer in time (the request may have been too big, or the node is slow). */
export class RpcTimeoutError extends NodeError {
  override readonly name: string = 'RpcTimeoutError';
  constructor(input: NodeErrorInput) {
    super(input, true);
  }
}
/** The node cannot be reached or answered with an HTTP error or a body that is not JSON-RPC. */
export class RpcTransportError extends NodeError {
  override readonly name: string = 'RpcTransportError';
  constructor(input: NodeErrorInput) {
    super(input, true);
  }
}
/** The provider throttles us (HTTP 429 or its own wording). */
export class RateLimitedError extends NodeError {
  override readonly name: string = 'RateLimitedError';
  constructor(input: NodeErrorInput) {
    super(input, true);
  }
}
/**
 * Any other node error. Retryable: a unit is stopped only on an error known to be deterministic.
 */
export class UnknownNodeError extends NodeError {
  override readonly name: string = 'UnknownNodeError';
  constructor(input: NodeErrorInput) {
    super(input, true);
  }
}

type NodeErrorClass = new (input: NodeErrorInput) => NodeError;

/**
 * Node wordings (geth core/txpool errors, anvil, Infura, Alchemy, QuickNode and other providers), in
 * the order they are tried: the first match wins, so narrower wordings come before broader ones.
 */
const NODE_MESSAGES: ReadonlyArray<[RegExp, NodeErrorClass]> = [
  [/rate limit|request rate exceeded|too many requests|request limit reached|daily request count|exceeded its .*capacity/i, RateLimitedError],
  [/replacement transaction underpriced|replacement fee too low|could not replace existing tx/i, ReplacementUnderpricedError],
  [/already known|known transaction|already imported|transaction already in (the )?(mem)?pool/i, TransactionAlreadyKnownError],
  [/nonce too low|nonce has already been used|nonce is too low/i, NonceTooLowError],
  [/nonce too high|nonce gap/i, NonceTooHighError],
  [/insufficient funds/i, InsufficientFundsError],
  [/max fee per gas less than block base fee|fee cap (less than|too low)|fee ?cap|transaction underpriced|gas price too low|underpriced/i, FeeCapTooLowError],
  [/exceeds block gas limit|gas_limit > env\.block\.gas_limit|intrinsic gas too high/i, GasLimitExceededError],
  [/intrinsic gas/i, IntrinsicGasTooLowError],
  [/invalid sender/i, InvalidSenderError],
  // A failed Solidity 0.5 `assert` (the designated invalid opcode 0xfe; OSTPrime.wrap beyond what it can
  // wrap) fails the call as deterministically as a revert, with no reason.
  [/revert|EVM error InvalidFEOp|invalid opcode/i, ExecutionRevertedError],
  [/header not found|unknown block|block not found|could not find block|BlockOutOfRange|block height is \d+ but requested/i, UnknownBlockError],
  [/block range|range (is )?too (large|wide|big)|too many (blocks|results|logs)|more than \d+ (results|logs)|response size|limit exceeded|exceeds? (the )?max|range/i, RangeTooLargeError],
  [/time(d)? ?out/i, RpcTimeoutError],
];

/** geth answers a revert of eth_call / eth_estimateGas with code 3 and the return data. */
const EXECUTION_REVERTED_CODE = 3;

/** The class of a node's error object, from its code and wording. */
export function classifyNodeError(input: NodeErrorInput): NodeError {
  if (input.code === EXECUTION_REVERTED_CODE) return new ExecutionRevertedError(input);
  const match = NODE_MESSAGES.find(([pattern]) => pattern.test(input.nodeMessage));
  return new (match ? match[1] : UnknownNodeError)(input);
}

/** The class of an HTTP answer that is not 200. */
export function classifyHttpStatus(input: Omit<NodeErrorInput, 'nodeMessage'>, status: number): NodeError {
  const withMessage = { ...input, nodeMessage: `HTTP ${status}${input.endpoint ? ` from ${input.endpoint}` : ''}` };
  if (status === 429) return new RateLimitedError(withMessage);
  if (status === 408 || status === 504) return new RpcTimeoutError(withMessage);
  // The endpoint refuses our credentials (a revoked or exhausted API key): its fault, not the request's.
  if (status >= 500 || status === 401 || status === 403) return new RpcTransportError(withMessage);
  return new UnknownNodeError(withMessage);
}

/** A revert reason as nodes repeat it in their message (`execution reverted: …`, `VM Exception … revert …`). */
export function revertReasonInMessage(message: string): string | undefined {
  const fromMessage = /(?:reverted:|revert)\s+(.+)$/.exec(message);
  return fromMessage ? fromMessage[1].trim() : undefined;
}

/** The revert reason of a node error: from its data first, else from its message. */
export function revertReasonOf(message: string, data: unknown): string | undefined {
  return revertReasonInData(data) ?? revertReasonInMessage(message);
}

/**
 * The endpoint, not the request, is at fault: no answer (refused, reset, timed out), an HTTP 5xx, 401 or
 * 403 (credentials refused) or a garbled body, a rate limit. Another endpoint of the chain may answer; a revert, a nonce too low or any
 * other answer of the node would be the same on every endpoint, and is not a reason to fail over.
 */
export function isEndpointFault(error: unknown): error is NodeError {
  return error instanceof RpcTransportError || error instanceof RpcTimeoutError || error instanceof RateLimitedError;
}
