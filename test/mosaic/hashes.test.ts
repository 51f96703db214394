import { expect } from 'chai';
import {
  generateHashLock,
  hashLockOf,
  messageBoxSlot,
  messageHash,
  redeemIntentHash,
  redeemRequestHash,
} from '../../src/mosaic/hashes';

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

  // Recorded from the real 0.12 contracts on the devnet (RedeemRequested and RedeemIntentDeclared events).
  it('hashes a redeem request as RedeemPool.hashRedeemRequest does', () => {
    const redeemer = '0x23e7aaf93bad424e01ea1ccf8fb3e6b85f56a424';
    const request = {
      amount: 10n * 10n ** 18n,
      beneficiary: redeemer,
      gasPrice: 1_000_000_000n,
      gasLimit: 1_000_000n,
      nonce: 0n,
      redeemer,
      cogateway: '0x52e0aa186520b83a05ac3bac25272aa579a0c231',
    };
    expect(redeemRequestHash(request, '0x2c1a2ac1292506abbbba9e98e2de2ed741f5ee98')).to.equal(
      '0x4bec674d6a1080d8b4b3093f16da752533765de5991f1834c8a9c55dd5b1348f',
    );
    expect(redeemRequestHash({ ...request, nonce: 1n }, '0x2c1a2ac1292506abbbba9e98e2de2ed741f5ee98')).to.not.equal(
      '0x4bec674d6a1080d8b4b3093f16da752533765de5991f1834c8a9c55dd5b1348f',
    );
  });

  it('hashes a redeem message (intent over the cogateway, sender the RedeemerProxy) as the cogateway does', () => {
    const coGateway = '0x52e0aa186520b83a05ac3bac25272aa579a0c231';
    const intentHash = redeemIntentHash(7n * 10n ** 18n, '0x00000000000000000000000000000000000be401', coGateway);
    expect(
      messageHash({
        intentHash,
        nonce: 0n,
        gasPrice: 1_000_000_000n,
        gasLimit: 1_000_000n,
        sender: '0x1aac98549993154f659e2b9032ae99d2b227a81b',
        hashLock: '0x29e09cdc68680b1395a7a1c9ebf95290149426fb43600c5c4d3fec0cbba33f79',
      }),
    ).to.equal('0xd9ce1954fac0c59a562149c86e624b2ae2ec4b57497fb9176c55beea483afbc1');
  });
});
