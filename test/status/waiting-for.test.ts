import { expect } from 'chai';
import type { OutboxRecord } from '../../src/chain/tx-engine/outbox-port';
import { MessageStatus } from '../../src/mosaic/message-status';
import { describeWait, formatAge, messageWait, requestWait, waitingFor, type WaitingFacts, type WorkerFunds } from '../../src/status/waiting-for';
import { stakeMessage, stakeRequest } from '../facilitation/facilitation-store-contract';

const NOW = 1_800_000_000_000;
const ISO = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const WORKER = `0x${'31'.repeat(20)}`;
const TX = `0x${'ab'.repeat(32)}`;

function record(purpose: string, overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  return {
    id: 1,
    chainId: 1405,
    worker: WORKER,
    purpose,
    subject: 's',
    to: `0x${'9b'.repeat(20)}`,
    data: '0x',
    value: 0n,
    gas: 1n,
    status: 'sent',
    nonce: 7n,
    fees: undefined,
    txHash: TX,
    txHashes: [TX],
    rawTransaction: undefined,
    attempts: 1,
    lastError: undefined,
    sentAt: NOW - 12_000,
    notBefore: undefined,
    minedBlock: undefined,
    createdAt: NOW - 20_000,
    ...overrides,
  };
}

const facts = (over: Partial<WaitingFacts> = {}): WaitingFacts => ({ steps: [], now: NOW, stateSince: NOW - 90_000, ...over });

/** Workers of both chains: the source's (origin for a stake) hold `source`, the target's `target` wei. */
function funds(source: bigint, target: bigint, over: Partial<WorkerFunds> = {}): WorkerFunds {
  return { source: [{ address: WORKER, balance: source, tokenBalance: 50n }], target: [{ address: WORKER, balance: target }], minGasBalance: 100n, bounty: 10n, ...over };
}

describe('waitingFor: what a message waits for, in one line with since when', () => {
  it('names the accept sent (hash, nonce, worker) and how long it has been pending', () => {
    const message = stakeMessage({ state: 'ACCEPTING' });
    const wait = messageWait(message, facts({ steps: [record('acceptStakeRequest')] }))!;
    expect(wait).to.deep.equal({ kind: 'MINED', reason: `acceptStakeRequest ${TX} (nonce 7, worker ${WORKER}) to be mined`, since: NOW - 12_000 });
    expect(waitingFor(message, facts({ steps: [record('acceptStakeRequest')] }))).to.equal(
      `acceptStakeRequest ${TX} (nonce 7, worker ${WORKER}) to be mined — waiting 12 s (since ${ISO(NOW - 12_000)})`,
    );
  });

  it('tells a step held by the fee cap (since the chain began waiting), one to be retried and one queued', () => {
    const message = stakeMessage({ state: 'CONFIRMING', sourceStatus: MessageStatus.Declared });
    const capped = record('confirmStakeIntent', { status: 'queued', lastError: 'waiting: the chain needs 9 wei per gas, above the cap of 5', notBefore: NOW + 1_000 });
    const feeCapWaits = new Map([[1405, { neededPerGas: 9n, capPerGas: 5n, transactions: 1, since: NOW - 300_000 }]]);
    expect(messageWait(message, facts({ steps: [capped], feeCapWaits }))).to.deep.equal({
      kind: 'FEE_CAP',
      reason: 'confirmStakeIntent held back by the fee cap: the chain needs 9 wei per gas, the cap (maxFeePerGas) is 5',
      since: NOW - 300_000,
    });
    const retry = record('confirmStakeIntent', { status: 'queued', lastError: 'cannot reach http://node', notBefore: NOW + 4_000, attempts: 2 });
    expect(messageWait(message, facts({ steps: [retry] }))).to.deep.equal({
      kind: 'RETRY',
      reason: 'confirmStakeIntent to be tried again (attempt 3, next try in 4 s) after: cannot reach http://node',
      since: NOW - 20_000,
    });
    expect(messageWait(message, facts({ steps: [record('confirmStakeIntent', { status: 'queued', nonce: undefined })] }))).to.deep.equal({
      kind: 'QUEUED',
      reason: `confirmStakeIntent queued for worker ${WORKER} on chain 1405, not sent yet`,
      since: NOW - 20_000,
    });
  });

  it('counts the confirmations of a mined step until its outcome is recorded', () => {
    const message = stakeMessage({ state: 'CONFIRMING', sourceStatus: MessageStatus.Declared });
    const steps = [record('confirmStakeIntent')];
    const shallow = messageWait(message, facts({ steps, inclusions: new Map([[TX, { block: 120n, head: 121n, confirmations: 6 }]]) }))!;
    expect([shallow.kind, shallow.reason]).to.deep.equal(['CONFIRMATIONS', `confirmStakeIntent ${TX} mined in block 120: 2 of 6 confirmations`]);
    const deep = messageWait(message, facts({ steps, inclusions: new Map([[TX, { block: 120n, head: 130n, confirmations: 6 }]]) }))!;
    expect(deep.reason).to.equal(`confirmStakeIntent ${TX} mined in block 120: its outcome to be recorded`);
  });

  it('for a declared message: the anchor (height needed and anchored), the proof, then the confirm — by direction', () => {
    const stake = stakeMessage({ state: 'DECLARED', sourceStatus: MessageStatus.Declared, declarationHeight: 42n });
    expect(messageWait(stake, facts({ anchoredHeight: 40n }))).to.deep.equal({
      kind: 'ANCHOR',
      reason: "the auxiliary chain's anchor to reach origin height 42 (anchored: 40, 2 blocks to go)",
      since: NOW - 90_000,
    });
    expect(waitingFor(stake, facts({ anchoredHeight: 40n }))).to.match(/ — waiting 1 min 30 s \(since .*Z\)$/);
    expect(messageWait(stake, facts({ anchoredHeight: 45n }))!.reason).to.equal('proveGateway at origin height ≥ 42 to be queued');
    expect(messageWait(stake, facts({ anchoredHeight: 45n, proofInFlight: record('proveGateway') }))!.reason).to.match(/^the proof: proveGateway 0x(ab)+ \(nonce 7, /);
    expect(messageWait(stake, facts({ provenHeight: 45n }))!.reason).to.equal('confirmStakeIntent to be queued (proven at origin height 45)');
    const redeem = { ...stake, direction: 'REDEEM' as const };
    expect(messageWait(redeem, facts({ anchoredHeight: undefined }))!.reason).to.equal("the origin chain's anchor to reach auxiliary height 42 (anchored: unknown)");
    expect(messageWait(redeem, facts({ anchoredHeight: 45n }))!.reason).to.equal('proveCoGateway at auxiliary height ≥ 42 to be queued');
  });

  it('names the workers to fund when none on the step\u2019s chain holds the gas it needs', () => {
    const declared = stakeMessage({ state: 'DECLARED', sourceStatus: MessageStatus.Declared, declarationHeight: 42n });
    expect(messageWait(declared, facts({ anchoredHeight: 45n, funds: funds(1_000n, 99n) }))).to.deep.equal({
      kind: 'WORKER_FUNDS',
      reason: `a worker on auxiliary with 100 wei for proveGateway at origin height ≥ 42 (fund one: ${WORKER} 99 wei)`,
      since: NOW - 90_000,
    });
    expect(messageWait(declared, facts({ anchoredHeight: 45n, funds: funds(1_000n, 100n) }))!.kind, 'enough gas: its service queues it').to.equal('STEP');
  });

  it('for an accepting message: the bounty allowance, the redeemer\u2019s previous message, a mined or failed accept', () => {
    const stake = stakeMessage({ state: 'ACCEPTING' });
    const approval = record('approveBounty', { chainId: 1337 });
    const allowance = messageWait(stake, facts({ bountyApproval: approval }))!;
    expect([allowance.kind, allowance.since]).to.deep.equal(['BOUNTY_ALLOWANCE', NOW - 12_000]);
    expect(allowance.reason).to.equal(`the bounty allowance of worker ${stake.worker}: approveBounty ${TX} (nonce 7, worker ${WORKER}) to be mined`);
    const redeem = stakeMessage({ state: 'ACCEPTING', direction: 'REDEEM', nonce: 3n });
    const previous = { nonce: 2n, messageHash: `0x${'ee'.repeat(32)}`, state: 'DECLARED' as const };
    expect(messageWait(redeem, facts({ previousMessage: previous }))).to.deep.equal({
      kind: 'PREVIOUS_MESSAGE',
      reason: `the redeemer's previous message, nonce 2, to complete: 0x${'ee'.repeat(32)} (DECLARED)`,
      since: NOW - 90_000,
    });
    const mined = record('acceptStakeRequest', { status: 'mined', minedBlock: 77n });
    expect(messageWait(stake, facts({ steps: [mined] }))).to.include({ kind: 'DECLARATION', reason: `acceptStakeRequest ${TX} mined in block 77: its declaration to be recorded` });
    const failed = record('acceptStakeRequest', { status: 'failed', lastError: 'reverted: bad' });
    expect(messageWait(stake, facts({ steps: [failed] }))!.reason).to.equal('acceptStakeRequest to be queued again (the last one failed: reverted: bad)');
  });

  it('for a confirmed message: each progress step not done, since the oldest; nothing in a final state', () => {
    const confirmed = stakeMessage({ state: 'CONFIRMED', sourceStatus: MessageStatus.Progressed, targetStatus: MessageStatus.Declared });
    expect(messageWait(confirmed, facts({ steps: [record('progressMint')] }))!.reason).to.match(/^progressMint 0x(ab)+ \(nonce 7, worker 0x(31)+\) to be mined$/);
    const redeem = { ...confirmed, direction: 'REDEEM' as const, sourceStatus: MessageStatus.Declared };
    expect(messageWait(redeem, facts({ steps: [record('progressUnstake', { sentAt: NOW - 500_000 })] }))).to.deep.equal({
      kind: 'STEP',
      reason: `progressRedeem to be queued; progressUnstake ${TX} (nonce 7, worker ${WORKER}) to be mined`,
      since: NOW - 500_000,
    });
    for (const state of ['COMPLETED', 'ABANDONED', 'FAILED'] as const) expect(messageWait(stakeMessage({ state }), facts()), state).to.equal(null);
  });

  it('on a standby instance or a stopped facilitator, says so before what the message waits for', () => {
    const stake = stakeMessage({ state: 'DECLARED', sourceStatus: MessageStatus.Declared, declarationHeight: 42n });
    expect(messageWait(stake, facts({ anchoredHeight: 40n, instance: 'standby' }))).to.deep.equal({
      kind: 'ACTIVE_INSTANCE',
      reason: "the active facilitator (this instance stands by); it waits for: the auxiliary chain's anchor to reach origin height 42 (anchored: 40, 2 blocks to go)",
      since: NOW - 90_000,
    });
    expect(messageWait(stake, facts({ anchoredHeight: 40n, instance: 'stopped' }))!.reason).to.match(/^the facilitator to run \(it is not running\); then: the auxiliary/);
  });
});

describe('requestWait: what a request waits for', () => {
  it('REQUESTED: a worker with the gas and the bounty (OST for a stake, base coin for a redeem), else its accept to be prepared', () => {
    const stake = stakeRequest();
    expect(requestWait(stake, undefined, facts({ funds: funds(1_000n, 0n, { source: [{ address: WORKER, balance: 1_000n, tokenBalance: 9n }] }) }))).to.deep.equal({
      kind: 'WORKER_FUNDS',
      reason: `a worker on origin with 100 wei and 10 OST (the bounty) for acceptStakeRequest (fund one: ${WORKER} 1000 wei 9 OST (the bounty))`,
      since: NOW - 90_000,
    });
    expect(requestWait(stake, undefined, facts({ funds: funds(1_000n, 0n) }))).to.deep.equal({
      kind: 'STEP',
      reason: 'acceptStakeRequest to be prepared (a worker chosen, a hash lock made)',
      since: NOW - 90_000,
    });
    const redeem = stakeRequest({ direction: 'REDEEM' });
    expect(requestWait(redeem, undefined, facts({ funds: funds(109n, 0n) }))!.reason).to.equal(`a worker on auxiliary with 110 wei for acceptRedeemRequest (fund one: ${WORKER} 109 wei)`);
    expect(requestWait(redeem, undefined, facts({ funds: funds(110n, 0n) }))!.kind).to.equal('STEP');
  });

  it('ACCEPTING and ACCEPTED: what its message waits for; nothing once the message or the request is final', () => {
    const message = stakeMessage({ state: 'DECLARED', sourceStatus: MessageStatus.Declared, declarationHeight: 42n });
    const wait = requestWait(stakeRequest({ state: 'ACCEPTED', messageHash: message.messageHash }), message, facts({ anchoredHeight: 41n }))!;
    expect(wait.kind).to.equal('ANCHOR');
    expect(wait.reason).to.equal(`its message ${message.messageHash} (DECLARED): the auxiliary chain's anchor to reach origin height 42 (anchored: 41, 1 block to go)`);
    expect(requestWait(stakeRequest({ state: 'ACCEPTED' }), stakeMessage({ state: 'COMPLETED' }), facts())).to.equal(null);
    for (const state of ['REVOKED', 'REJECTED', 'IGNORED', 'TAKEN', 'ORPHANED', 'FAILED'] as const) expect(requestWait(stakeRequest({ state }), undefined, facts()), state).to.equal(null);
  });
});

describe('formatAge and describeWait', () => {
  it('reads as seconds, minutes, hours or days, and leaves out a since that is not known', () => {
    expect([formatAge(12_400), formatAge(185_000), formatAge(7_440_000), formatAge(270_000_000)]).to.deep.equal(['12 s', '3 min 5 s', '2 h 4 min', '3 d 3 h']);
    expect(describeWait({ kind: 'STEP', reason: 'x to be queued' }, NOW)).to.equal('x to be queued');
    expect(describeWait(null, NOW)).to.equal(null);
  });
});
