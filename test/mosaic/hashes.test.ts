import { expect } from 'chai';
import { generateHashLock, hashLockOf, messageBoxSlot } from '../../src/mosaic/hashes';

describe('hash locks and message box slots', () => {
  it('generates distinct 32-byte secrets whose keccak is the hash lock', () => {
    const a = generateHashLock();
    const b = generateHashLock();
    expect(a.unlockSecret).to.match(/^0x[0-9a-f]{64}$/);
    expect(a.unlockSecret).to.not.equal(b.unlockSecret);
    expect(hashLockOf(a.unlockSecret)).to.equal(a.hashLock);
  });

  it('refuses a malformed unlock secret', () => {
    expect(() => hashLockOf('0x1234')).to.throw(/32 bytes/);
  });

  it('puts the inbox slot right after the outbox slot', () => {
    const { outbox, inbox } = messageBoxSlot(`0x${'11'.repeat(32)}`, 9n);
    expect(BigInt(inbox) - BigInt(outbox)).to.equal(1n);
    expect(outbox).to.match(/^0x[0-9a-f]{64}$/);
  });
});
