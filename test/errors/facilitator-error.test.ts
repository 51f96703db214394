import { expect } from 'chai';
import { backoffDelay } from '../../src/errors/backoff';
import { causeChain, findCause, isRetryable } from '../../src/errors/cause-chain';
import { FacilitatorError, NonRetryableError, RetryableError } from '../../src/errors/facilitator-error';
import { StoppedUnits } from '../../src/errors/stopped-units';
import { ConfigError, oneLine, UserInputError } from '../../src/errors/user-errors';

describe('error taxonomy', () => {
  it('marks retryable and non-retryable errors and keeps safe details and the cause', () => {
    const root = new Error('socket hang up');
    const retryable = new RetryableError('node down', { cause: root, details: { chainId: 1405 } });
    expect(retryable).to.be.instanceOf(FacilitatorError);
    expect(retryable.retryable).to.equal(true);
    expect(retryable.details).to.deep.equal({ chainId: 1405 });
    expect(retryable.cause).to.equal(root);
    expect(new NonRetryableError('bad mapping').retryable).to.equal(false);
    expect(new FacilitatorError('plain').retryable).to.equal(false);
  });

  it('keeps user errors non-retryable and shows them as one line without the class name', () => {
    const config = new ConfigError('chains.1405.rpc:\n  must be a URL');
    expect(config.retryable).to.equal(false);
    expect(oneLine(config)).to.equal('chains.1405.rpc: must be a URL');
    expect(oneLine(new UserInputError('--count must be a whole number'))).to.equal('--count must be a whole number');
    expect(oneLine(new TypeError('x is undefined'))).to.equal('TypeError: x is undefined');
  });

  it('finds a class anywhere in the cause chain, and survives a cause cycle', () => {
    const inner = new NonRetryableError('deterministic');
    const outer = new Error('wrapped', { cause: new Error('middle', { cause: inner }) });
    expect(findCause(outer, NonRetryableError)).to.equal(inner);
    expect(findCause(outer, RetryableError)).to.equal(undefined);
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(causeChain(a)).to.have.length(2);
  });

  it('lets the outermost classified error decide retryability; unclassified errors stay retryable', () => {
    expect(isRetryable(new Error('unknown'))).to.equal(true);
    expect(isRetryable(new NonRetryableError('no'))).to.equal(false);
    expect(isRetryable(new Error('wrapper', { cause: new NonRetryableError('no') }))).to.equal(false);
    expect(isRetryable(new RetryableError('outer', { cause: new NonRetryableError('inner') }))).to.equal(true);
  });
});

describe('backoff', () => {
  const policy = { initialMs: 500, maxMs: 10_000, jitter: 0.5 };

  it('doubles from the initial delay and never exceeds the maximum', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 30].map((attempt) => backoffDelay(attempt, policy, middle))).to.deep.equal([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('spreads delays by the jitter share around the exponential value', () => {
    expect(backoffDelay(3, policy, () => 0)).to.equal(1500);
    expect(backoffDelay(3, policy, () => 0.999999)).to.equal(2500);
    expect(backoffDelay(1, { initialMs: 100, maxMs: 1000, jitter: 0 }, Math.random)).to.equal(100);
  });
});

describe('stopped units', () => {
  it('records the reason of a stopped unit once per unit and forgets it when cleared', () => {
    const units = new StoppedUnits();
    units.record('stream', 'origin.StakeRequested', new NonRetryableError('handler failed', { details: { block: 12 } }));
    units.record('stream', 'origin.StakeRequested', new NonRetryableError('handler failed again'));
    expect(units.list('stream')).to.have.length(1);
    expect(units.get('stream', 'origin.StakeRequested')!.reason).to.equal('handler failed again');
    expect(units.list('subgraph')).to.deep.equal([]);
    units.clear('stream', 'origin.StakeRequested');
    expect(units.list()).to.deep.equal([]);
  });
});
