import { expect } from 'chai';
import type { OutboxRecord } from '../../src/chain/tx-engine/outbox-port';
import { MessageStatus } from '../../src/mosaic/message-status';
import { waitingFor } from '../../src/status/waiting-for';
import { stakeMessage } from '../facilitation/facilitation-store-contract';

const NOW = 1_800_000_000_000;

function record(purpose: string, overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  return {
    id: 1,
    chainId: 1405,
    worker: `0x${'31'.repeat(20)}`,
    purpose,
    subject: 's',
    to: `0x${'9b'.repeat(20)}`,
    data: '0x',
    value: 0n,
    gas: 1n,
    status: 'sent',
    nonce: 7n,
    txHash: `0x${'ab'.repeat(32)}`,
    txHashes: [`0x${'ab'.repeat(32)}`],
    attempts: 1,
    lastError: undefined,
    sentAt: NOW - 12_000,
    notBefore: undefined,
    ...overrides,
  } as OutboxRecord;
}

describe('waitingFor: what a message waits for, in one line', () => {
  const facts = (over: Partial<Parameters<typeof waitingFor>[1]> = {}) => ({ steps: [], now: NOW, ...over });

  it('names the accept to be mined (hash, nonce, age) or to be queued', () => {
    const message = stakeMessage({ state: 'ACCEPTING' });
    expect(waitingFor(message, facts({ steps: [record('acceptStakeRequest')] }))).to.equal(`acceptStakeRequest 0x${'ab'.repeat(32)} (nonce 7) to be mined, sent 12 s ago`);
    expect(waitingFor(message, facts())).to.match(/^acceptStakeRequest to be queued/);
    const queued = record('acceptStakeRequest', { status: 'queued', lastError: 'waiting: the chain needs 9 wei per gas, above the cap of 5', notBefore: NOW + 4_000 });
    expect(waitingFor(message, facts({ steps: [queued] }))).to.contain('above the cap of 5 (next try in 4 s)');
  });

  it('for a declared message: the anchor, then a proof, then the confirm — by direction', () => {
    const stake = stakeMessage({ state: 'DECLARED', sourceStatus: MessageStatus.Declared, declarationHeight: 42n });
    expect(waitingFor(stake, facts({ anchoredHeight: 40n }))).to.equal("the auxiliary chain's anchor to reach origin height 42 (anchored: 40)");
    expect(waitingFor(stake, facts({ anchoredHeight: 45n }))).to.equal('a proof at origin height ≥ 42 to be queued');
    expect(waitingFor(stake, facts({ anchoredHeight: 45n, proofInFlight: record('proveGateway') }))).to.match(/^the proof proveGateway 0x(ab)+ \(nonce 7\) to be mined/);
    expect(waitingFor(stake, facts({ provenHeight: 45n }))).to.equal('confirmStakeIntent to be queued (proven at origin height 45)');
    const redeem = { ...stake, direction: 'REDEEM' as const };
    expect(waitingFor(redeem, facts({ anchoredHeight: 3n }))).to.equal("the origin chain's anchor to reach auxiliary height 42 (anchored: 3)");
  });

  it('for a confirmed message: the progress steps not yet done; nothing in a final state', () => {
    const confirmed = stakeMessage({ state: 'CONFIRMED', sourceStatus: MessageStatus.Progressed, targetStatus: MessageStatus.Declared });
    expect(waitingFor(confirmed, facts({ steps: [record('progressMint')] }))).to.match(/^progressMint 0x(ab)+ \(nonce 7\) to be mined/);
    expect(waitingFor({ ...confirmed, direction: 'REDEEM', sourceStatus: MessageStatus.Declared }, facts())).to.equal('progressRedeem to be queued; progressUnstake to be queued');
    expect(waitingFor(stakeMessage({ state: 'COMPLETED' }), facts())).to.equal(null);
  });
});
