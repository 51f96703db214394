import { expect } from 'chai';
import { ChainClient } from '../../src/chain/chain-client';
import { contractInterface, Eip20Gateway, OstPrime } from '../../src/mosaic/contracts';
import { RedeemPool } from '../../src/mosaic/redeem-contracts';
import { FakeJsonRpc } from '../fakes/fake-json-rpc';

const POOL = '0x00000000000000000000000000000000000000a1';
const COGATEWAY = '0x00000000000000000000000000000000000000c0';
const REDEEMER = '0x00000000000000000000000000000000000000e1';
const request = {
  amount: 40n,
  beneficiary: '0x00000000000000000000000000000000000000be',
  gasPrice: 2n,
  gasLimit: 3n,
  nonce: 0n,
  cogateway: COGATEWAY,
};
const hashLock = `0x${'11'.repeat(32)}`;

describe('redeem contract wrappers', () => {
  const rpc = new FakeJsonRpc(1405);
  const client = new ChainClient(rpc, 1405);
  const pool = new RedeemPool(client, POOL);

  it('pays exactly the bounty with acceptRedeemRequest and nothing with the redeemer and reject calls', () => {
    const accept = pool.acceptRedeemRequest({ ...request, redeemer: REDEEMER, hashLock }, 100n);
    expect(accept.value).to.equal(100n);
    expect(accept.label).to.equal('RedeemPool.acceptRedeemRequest');
    const { args } = contractInterface('RedeemPool').decodeCall(accept.data);
    expect(args.map((v) => (typeof v === 'string' ? v.toLowerCase() : v))).to.deep.equal([
      40n, request.beneficiary, 2n, 3n, 0n, REDEEMER, COGATEWAY, hashLock,
    ]);
    for (const call of [pool.requestRedeem(request), pool.revokeRedeemRequest(request), pool.rejectRedeemRequest({ ...request, redeemer: REDEEMER })]) {
      expect(call.value, call.label).to.equal(undefined);
    }
    const ostPrime = new OstPrime(client, '0x00000000000000000000000000000000000000d0');
    expect(ostPrime.wrap(5n).value).to.equal(5n);
    expect(ostPrime.approve(POOL, 5n).value).to.equal(undefined);
  });

  it('sends confirmRedeemIntent with the block height before the hash lock', () => {
    const gateway = new Eip20Gateway(client, '0x00000000000000000000000000000000000000f0');
    const call = gateway.confirmRedeemIntent({
      redeemer: REDEEMER,
      redeemerNonce: 1n,
      beneficiary: request.beneficiary,
      amount: 40n,
      gasPrice: 2n,
      gasLimit: 3n,
      blockHeight: 77n,
      hashLock,
      rlpParentNodes: '0xc0',
    });
    const { method, args } = contractInterface('EIP20Gateway').decodeCall(call.data);
    expect(method).to.equal('confirmRedeemIntent');
    expect(args[6]).to.equal(77n);
    expect(args[7]).to.equal(hashLock);
  });

  it('reads an open request by its hash, and none when the slot is zero', async () => {
    const open = `0x${'ab'.repeat(32)}`;
    let stored = open;
    rpc.contract(POOL, 'RedeemPool', { redeemRequestHashes: () => stored });
    expect(await pool.redeemRequestHashOf(REDEEMER, COGATEWAY)).to.equal(open);
    expect(await pool.redeemRequestExists(open, REDEEMER, COGATEWAY)).to.equal(true);
    expect(await pool.redeemRequestExists(`0x${'cd'.repeat(32)}`, REDEEMER, COGATEWAY)).to.equal(false);
    stored = `0x${'00'.repeat(32)}`;
    expect(await pool.redeemRequestHashOf(REDEEMER, COGATEWAY)).to.equal(undefined);
    expect(await pool.redeemRequestExists(open, REDEEMER, COGATEWAY)).to.equal(false);
  });
});
