import { expect } from 'chai';
import { decodeStep, encodeStep, type FacilitationStep } from '../../src/facilitation/steps';

const hash = `0x${'ab'.repeat(32)}`;

describe('outbox steps', () => {
  const steps: FacilitationStep[] = [
    { kind: 'accept', stakeRequestHash: hash, attempt: 0 },
    { kind: 'accept', stakeRequestHash: hash, attempt: 2 },
    { kind: 'approveBounty', worker: `0x${'31'.repeat(20)}`, allowance: 500n, at: 1_700_000_000_000 },
    { kind: 'prove', gateway: `0x${'9a'.repeat(20)}`, height: 123n },
    { kind: 'confirm', messageHash: hash, height: 45n },
    { kind: 'progressStake', messageHash: hash },
    { kind: 'progressMint', messageHash: hash },
    { kind: 'acceptRedeem', redeemRequestHash: hash, attempt: 0 },
    { kind: 'acceptRedeem', redeemRequestHash: hash, attempt: 1 },
    { kind: 'proveCoGateway', coGateway: `0x${'9b'.repeat(20)}`, height: 77n },
    { kind: 'confirmRedeem', messageHash: hash, height: 78n },
    { kind: 'progressRedeem', messageHash: hash },
    { kind: 'progressUnstake', messageHash: hash },
  ];

  it('decodes every step it encodes', () => {
    for (const step of steps) expect(decodeStep(encodeStep(step)), step.kind).to.deep.equal(step);
  });

  it('keeps the keys of existing databases (purpose and subject strings)', () => {
    expect(encodeStep(steps[0])).to.deep.equal({ purpose: 'acceptStakeRequest', subject: hash });
    expect(encodeStep(steps[1])).to.deep.equal({ purpose: 'acceptStakeRequest', subject: `${hash}#2` });
    expect(encodeStep(steps[3])).to.deep.equal({ purpose: 'proveGateway', subject: `0x${'9a'.repeat(20)}@123` });
    expect(encodeStep(steps[4])).to.deep.equal({ purpose: 'confirmStakeIntent', subject: `${hash}@45` });
  });

  it('gives each redeem step its own purpose, so a stake step and a redeem step never share an outbox key', () => {
    const purposes = steps.map((step) => encodeStep(step).purpose);
    expect(new Set(purposes).size).to.equal(new Set(steps.map((s) => s.kind)).size);
    expect(encodeStep(steps[8])).to.deep.equal({ purpose: 'acceptRedeemRequest', subject: `${hash}#1` });
    expect(encodeStep(steps[9])).to.deep.equal({ purpose: 'proveCoGateway', subject: `0x${'9b'.repeat(20)}@77` });
  });

  it('knows no step for a purpose it never sends', () => {
    expect(decodeStep({ purpose: 'somethingElse', subject: 'x' })).to.equal(undefined);
  });
});
