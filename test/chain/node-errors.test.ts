import { expect } from 'chai';
import { encodeParameter } from 'web3-eth-abi';
import {
  classifyHttpStatus,
  classifyNodeError,
  ExecutionRevertedError,
  isEndpointFault,
  FeeCapTooLowError,
  GasLimitExceededError,
  InsufficientFundsError,
  IntrinsicGasTooLowError,
  InvalidSenderError,
  NonceTooHighError,
  NonceTooLowError,
  RangeTooLargeError,
  RateLimitedError,
  ReplacementUnderpricedError,
  RpcTimeoutError,
  RpcTransportError,
  TransactionAlreadyKnownError,
  TransactionRejectedError,
  UnknownBlockError,
  UnknownNodeError,
  type NodeError,
} from '../../src/chain/node-errors';

const classify = (nodeMessage: string, code = -32000, data?: unknown): NodeError =>
  classifyNodeError({ method: 'eth_sendRawTransaction', code, nodeMessage, data });

type NodeErrorClass = abstract new (...args: never[]) => NodeError;

/** Node answers as anvil 1.7 (captured from the devnet's anvil) and geth (core/error.go, core/txpool/errors.go) word them. */
const CASES: Array<[string, string, NodeErrorClass]> = [
  ['anvil', 'nonce too low', NonceTooLowError],
  ['geth', 'nonce too low: address 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, tx: 5 state: 7', NonceTooLowError],
  ['geth', 'nonce too high: address 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, tx: 9 state: 7', NonceTooHighError],
  ['anvil', 'transaction already imported', TransactionAlreadyKnownError],
  ['geth', 'already known', TransactionAlreadyKnownError],
  ['geth', 'replacement transaction underpriced', ReplacementUnderpricedError],
  ['anvil', 'Insufficient funds for gas * price + value', InsufficientFundsError],
  ['geth', 'insufficient funds for gas * price + value: address 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed have 0 want 21000000', InsufficientFundsError],
  ['anvil', 'max fee per gas less than block base fee', FeeCapTooLowError],
  ['geth', 'max fee per gas less than block base fee: address 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, maxFeePerGas: 1, baseFee: 7', FeeCapTooLowError],
  ['geth', 'transaction underpriced: tip needed 1, tip permitted 0', FeeCapTooLowError],
  ['anvil', 'intrinsic gas too low', IntrinsicGasTooLowError],
  ['geth', 'intrinsic gas too low: have 20000, want 21000', IntrinsicGasTooLowError],
  ['anvil', 'intrinsic gas too high -- tx.gas_limit > env.block.gas_limit', GasLimitExceededError],
  ['geth', 'exceeds block gas limit', GasLimitExceededError],
  ['geth', 'invalid sender', InvalidSenderError],
  ['anvil', 'EVM error InvalidFEOp', ExecutionRevertedError],
  ['geth', 'invalid opcode: INVALID', ExecutionRevertedError],
  ['geth', 'header not found', UnknownBlockError],
  ['anvil', 'BlockOutOfRangeError: block height is 1 but requested was 16777215', UnknownBlockError],
  ['infura', 'query returned more than 10000 results', RangeTooLargeError],
  ['alchemy', 'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range', RangeTooLargeError],
  ['geth', 'exceed maximum block range: 5000', RangeTooLargeError],
  ['quicknode', 'eth_getLogs is limited to a 10,000 range', RangeTooLargeError],
  ['provider', 'request timed out', RpcTimeoutError],
  ['infura', 'project ID request rate exceeded', RateLimitedError],
  ['alchemy', 'Your app has exceeded its compute units per second capacity', RateLimitedError],
  ['anvil', 'Method not found', UnknownNodeError],
];

describe('node errors: classified once from the node\'s code and wording', () => {
  for (const [node, message, type] of CASES) {
    it(`${node}: "${message.slice(0, 60)}" is a ${type.name}`, () => {
      const error = classify(message);
      expect(error).to.be.instanceOf(type);
      expect(error.nodeMessage).to.equal(message);
      expect(error.message).to.equal(`eth_sendRawTransaction: ${message}`);
    });
  }

  it('decodes the revert reason of anvil\'s and geth\'s code-3 answers from the return data', () => {
    const data = `0x08c379a0${encodeParameter('string', 'Stake request must exists.').slice(2)}`;
    const error = classify('execution reverted: Stake request must exists.', 3, data);
    expect(error).to.be.instanceOf(ExecutionRevertedError);
    expect((error as ExecutionRevertedError).reason).to.equal('Stake request must exists.');
    expect(error.retryable).to.equal(false);
  });

  it('reads the revert reason from the message when the data has none (ganache-style)', () => {
    const error = classify('VM Exception while processing transaction: revert Bad thing.', -32000, '0x');
    expect(error).to.be.instanceOf(ExecutionRevertedError);
    expect((error as ExecutionRevertedError).reason).to.equal('Bad thing.');
    expect((classify('execution reverted', 3, '0x') as ExecutionRevertedError).reason).to.equal(undefined);
  });

  it('groups the refusals of a signed transaction under TransactionRejectedError, none retryable', () => {
    for (const message of ['replacement transaction underpriced', 'Insufficient funds for gas * price + value', 'max fee per gas less than block base fee', 'intrinsic gas too low', 'invalid sender']) {
      const error = classify(message);
      expect(error, message).to.be.instanceOf(TransactionRejectedError);
      expect(error.retryable, message).to.equal(false);
    }
  });

  it('makes node trouble retryable and deterministic answers not', () => {
    expect(classify('header not found').retryable).to.equal(true);
    expect(classify('query returned more than 10000 results').retryable).to.equal(true);
    expect(classify('something no one has seen').retryable).to.equal(true);
    expect(classify('nonce too low').retryable).to.equal(false);
    expect(classify('already known').retryable).to.equal(false);
  });

  it('classifies HTTP statuses: 429 rate limited, 5xx transport, 504 timeout', () => {
    const input = { method: 'eth_blockNumber', endpoint: 'https://node.example/v3/***' };
    expect(classifyHttpStatus(input, 429)).to.be.instanceOf(RateLimitedError);
    expect(classifyHttpStatus(input, 502)).to.be.instanceOf(RpcTransportError);
    expect(classifyHttpStatus(input, 504)).to.be.instanceOf(RpcTimeoutError);
    expect(classifyHttpStatus(input, 404)).to.be.instanceOf(UnknownNodeError);
    expect(classifyHttpStatus(input, 401), 'credentials refused: the endpoint\'s fault').to.be.instanceOf(RpcTransportError);
    expect(classifyHttpStatus(input, 403)).to.be.instanceOf(RpcTransportError);
    expect(classifyHttpStatus(input, 503).message).to.equal('eth_blockNumber: HTTP 503 from https://node.example/v3/***');
  });

  it('carries the method, code and endpoint as safe details', () => {
    const error = classifyNodeError({ method: 'eth_getLogs', code: -32005, nodeMessage: 'query returned more than 10000 results', endpoint: 'https://node.example/' });
    expect(error.details).to.deep.equal({ method: 'eth_getLogs', code: -32005, endpoint: 'https://node.example/' });
  });

  it('calls only no answer, HTTP trouble and rate limits endpoint faults (failover), never an answer of the chain', () => {
    const input = { method: 'eth_sendRawTransaction', endpoint: 'https://node.example/' };
    for (const status of [429, 500, 502, 503, 504, 401]) expect(isEndpointFault(classifyHttpStatus(input, status)), `HTTP ${status}`).to.equal(true);
    expect(isEndpointFault(new RpcTimeoutError({ ...input, nodeMessage: 'no answer within 15000 ms' }))).to.equal(true);
    for (const nodeMessage of ['execution reverted: Stake amount must not be zero', 'nonce too low', 'already known', 'insufficient funds for gas * price + value', 'replacement transaction underpriced', 'header not found', 'query returned more than 10000 results']) {
      expect(isEndpointFault(classifyNodeError({ ...input, code: -32000, nodeMessage })), nodeMessage).to.equal(false);
    }
    expect(isEndpointFault(new Error('anything else'))).to.equal(false);
  });
});
