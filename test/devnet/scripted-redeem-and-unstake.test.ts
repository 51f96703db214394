import { expect } from 'chai';
import type { RpcReceipt } from '../../src/chain/chain-client';
import { RevertError } from '../../src/chain/errors';
import { contractInterface } from '../../src/mosaic/contracts';
import { generateHashLock, messageHash, redeemIntentHash, redeemRequestHash } from '../../src/mosaic/hashes';
import { MessageStatus } from '../../src/mosaic/message-status';
import { NothingToWrapError, requestRedeem, revokeRedeem, wrapShortfall } from '../../src/devnet/demo-redeemer';
import type { Devnet } from '../../src/devnet/devnet';
import { scriptedRedeemAndUnstake, waitForOriginAnchor } from '../../src/devnet/scripted-redeem-and-unstake';
import { confirmRedeemIntentCall, proveCoGatewayCall, proveCoGatewayOutbox } from '../../src/mosaic/redeem-proofs';
import { scriptedStakeAndMint } from '../../src/devnet/scripted-stake-and-mint';
import { devnetContracts } from '../../src/devnet/devnet-contracts';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';

const OST = 10n ** 18n;

function feePaid(receipt: RpcReceipt): bigint {
  return BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice ?? '0');
}

describe('redeem & unstake sent directly against the real Mosaic 0.12 contracts', function () {
  this.timeout(120_000);
  let devnet: Devnet;
  let stakers: string[];
  let workers: string[];

  before(async () => {
    devnet = await startTestDevnet({ stakers: 6 });
    stakers = addressesWithRole(devnet, 'staker');
    workers = addressesWithRole(devnet, 'worker');
  });
  after(async () => devnet?.close());

  const contracts = () => {
    const c = devnetContracts(devnet);
    return { ...c, pool: c.redeemPool };
  };

  const redeemOptions = (redeemer: string) => {
    const { pool, ostPrime, coGateway } = contracts();
    return {
      client: devnet.auxiliary.client,
      ostPrime: ostPrime.address,
      redeemPool: pool.address,
      coGateway: coGateway.address,
      redeemer: devnet.auxiliarySender(redeemer),
    };
  };

  it('cannot wrap before any stake & mint, and says a redeem needs one', async () => {
    const { ostPrime } = contracts();
    expect(await ostPrime.wrappable()).to.equal(0n);
    const refused = await wrapShortfall(ostPrime, stakers[0], OST).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(NothingToWrapError);
    expect((refused as Error).message).to.match(/stake & mint/).and.not.contain('\n');
    const reverted = await devnet.auxiliarySender(stakers[0]).send(ostPrime.wrap(OST)).then(
      () => undefined,
      (error: unknown) => error,
    );
    // 0.12's wrap fails an assert (invalid opcode), no reason: hence the check before sending.
    expect(reverted).to.be.instanceOf(RevertError);
    expect((reverted as RevertError).message).to.contain('OSTPrime.wrap reverted');
    expect(await ostPrime.balanceOf(stakers[0])).to.equal(0n);
  });

  it('stakes 100 OST, redeems 40 back: beneficiary gets 40 − reward OST, OSTPrime down by 40, the bounty returns', async () => {
    const { ostPrime, coGateway, gateway, ost, pool } = contracts();
    const [redeemer] = stakers;
    const [worker] = workers;
    const beneficiary = '0x00000000000000000000000000000000000be401';
    await scriptedStakeAndMint(devnet, { staker: redeemer, worker, amount: 100n * OST });
    await devnet.auxiliarySender(redeemer).send(ostPrime.wrap(40n * OST));

    const redeemerOstPrimeBefore = await ostPrime.balanceOf(redeemer);
    const workerAuxBefore = await devnet.auxiliary.client.getBalance(worker);
    const workerOstBefore = await ost.balanceOf(worker);
    const beneficiaryOstBefore = await ost.balanceOf(beneficiary);

    const result = await scriptedRedeemAndUnstake(devnet, { redeemer, worker, beneficiary, amount: 40n * OST });

    expect(result.request.wrapped, 'the redeemer already held the OSTPrime').to.equal(0n);
    expect(result.provenHeight >= result.declarationBlock).to.equal(true);
    expect(await ostPrime.balanceOf(redeemer)).to.equal(redeemerOstPrimeBefore - 40n * OST);
    const unstaked = contractInterface('EIP20Gateway')
      .decodeLogs(result.receipts.progressUnstake.logs, gateway.address)
      .find((e) => e.name === 'UnstakeProgressed');
    expect(unstaked, 'UnstakeProgressed event').to.not.equal(undefined);
    const reward = unstaked!.args._rewardAmount as bigint;
    expect(reward > 0n && reward <= result.request.gasPrice * result.request.gasLimit, 'reward paid, capped').to.equal(true);
    expect(unstaked!.args._unstakeAmount).to.equal(40n * OST - reward);
    expect(await ost.balanceOf(beneficiary)).to.equal(beneficiaryOstBefore + 40n * OST - reward);
    expect(await ost.balanceOf(worker), 'the worker earns the reward in OST').to.equal(workerOstBefore + reward);

    const auxFees = feePaid(result.receipts.acceptRedeemRequest) + feePaid(result.receipts.progressRedeem);
    expect(await devnet.auxiliary.client.getBalance(worker), 'bounty back, only gas spent').to.equal(workerAuxBefore - auxFees);
    expect(await coGateway.outboxStatus(result.messageHash)).to.equal(MessageStatus.Progressed);
    expect(await gateway.inboxStatus(result.messageHash)).to.equal(MessageStatus.Progressed);
    expect(await pool.redeemRequestHashOf(redeemer, coGateway.address)).to.equal(undefined);
  });

  it('computes the redeem request hash, intent hash and message hash that the contracts emit', async () => {
    const { pool, coGateway } = contracts();
    const redeemer = stakers[1];
    const request = await requestRedeem({ ...redeemOptions(redeemer), amount: 5n * OST });
    expect(request.wrapped).to.equal(5n * OST);
    const fields = { ...request, redeemer };
    expect(redeemRequestHash(fields, pool.address)).to.equal(request.redeemRequestHash);
    expect(await pool.hashRedeemRequest(fields)).to.equal(request.redeemRequestHash);
    expect(await pool.redeemRequestExists(request.redeemRequestHash, redeemer, coGateway.address)).to.equal(true);

    const { hashLock } = generateHashLock();
    const receipt = await devnet.auxiliarySender(workers[1]).send(pool.acceptRedeemRequest({ ...request, hashLock }, await coGateway.bounty()));
    const declared = contractInterface('EIP20CoGateway')
      .decodeLogs(receipt.logs, coGateway.address)
      .find((e) => e.name === 'RedeemIntentDeclared');
    const computed = messageHash({
      intentHash: redeemIntentHash(request.amount, request.beneficiary, coGateway.address),
      nonce: request.nonce,
      gasPrice: request.gasPrice,
      gasLimit: request.gasLimit,
      sender: request.redeemerProxy,
      hashLock,
    });
    expect(declared?.args._messageHash).to.equal(computed);
    expect(String(declared?.args._redeemer).toLowerCase()).to.equal(request.redeemerProxy);
    expect(await pool.redeemRequestExists(request.redeemRequestHash, redeemer, coGateway.address)).to.equal(false);
    expect(await coGateway.outboxStatus(computed)).to.equal(MessageStatus.Declared);
  });

  it('lets the redeemer revoke and a worker reject, returning the OSTPrime each time', async () => {
    const { pool, ostPrime, coGateway } = contracts();
    const redeemer = stakers[2];
    const first = await requestRedeem({ ...redeemOptions(redeemer), amount: 3n * OST });
    expect(await ostPrime.balanceOf(redeemer)).to.equal(0n);
    const revoked = await revokeRedeem({ client: devnet.auxiliary.client, redeemPool: pool.address, redeemer: devnet.auxiliarySender(redeemer), request: first });
    expect(contractInterface('RedeemPool').decodeLogs(revoked.logs, pool.address).map((e) => e.name)).to.deep.equal(['RedeemRevoked']);
    expect(await ostPrime.balanceOf(redeemer)).to.equal(3n * OST);

    const second = await requestRedeem({ ...redeemOptions(redeemer), amount: 3n * OST });
    expect(second.wrapped, 'the revoked OSTPrime is used again').to.equal(0n);
    expect(second.nonce, 'nothing was declared: same nonce').to.equal(first.nonce);
    const rejected = await devnet.auxiliarySender(workers[0]).send(pool.rejectRedeemRequest({ ...second, redeemer }));
    const events = contractInterface('RedeemPool').decodeLogs(rejected.logs, pool.address);
    expect(events.map((e) => e.name)).to.deep.equal(['RedeemRejected']);
    expect(String(events[0].args.redeemRequestHash).toLowerCase()).to.equal(second.redeemRequestHash);
    expect(await ostPrime.balanceOf(redeemer)).to.equal(3n * OST);
    expect(await pool.redeemRequestHashOf(redeemer, coGateway.address)).to.equal(undefined);
  });

  it('takes a request with amount ≤ gasPrice × gasLimit, but refuses to accept it (the facilitator ignores it)', async () => {
    const { pool, coGateway } = contracts();
    const redeemer = stakers[3];
    const gasPrice = 1_000_000_000n;
    const gasLimit = 1_000_000n;
    const request = await requestRedeem({ ...redeemOptions(redeemer), amount: gasPrice * gasLimit, gasPrice, gasLimit });
    expect(await pool.redeemRequestExists(request.redeemRequestHash, redeemer, coGateway.address)).to.equal(true);
    const { hashLock } = generateHashLock();
    const refused = await devnet.auxiliarySender(workers[0])
      .send(pool.acceptRedeemRequest({ ...request, hashLock }, await coGateway.bounty()))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).to.be.instanceOf(RevertError);
    expect((refused as RevertError).reason).to.match(/Maximum possible reward must be less than the redeem amount/);
    expect(await pool.redeemRequestExists(request.redeemRequestHash, redeemer, coGateway.address), 'still open').to.equal(true);
  });

  /** requestRedeem + acceptRedeemRequest; returns the message as confirmRedeemIntent needs it. */
  async function declareRedeem(redeemer: string, worker: string) {
    const { pool, coGateway } = contracts();
    const request = await requestRedeem({ ...redeemOptions(redeemer), amount: 2n * OST });
    const lock = generateHashLock();
    const receipt = await devnet.auxiliarySender(worker).send(pool.acceptRedeemRequest({ ...request, redeemer, hashLock: lock.hashLock }, await coGateway.bounty()));
    const declared = contractInterface('EIP20CoGateway')
      .decodeLogs(receipt.logs, coGateway.address)
      .find((e) => e.name === 'RedeemIntentDeclared');
    return { ...request, ...lock, messageHash: String(declared!.args._messageHash), block: BigInt(receipt.blockNumber) };
  }

  it('serves two confirmRedeemIntent calls with one proveGateway (one eth_getProof, two slots)', async () => {
    const { coGateway, gateway } = contracts();
    const worker = workers[1];
    const first = await declareRedeem(stakers[4], worker);
    const second = await declareRedeem(stakers[5], worker);
    const height = await waitForOriginAnchor(devnet, second.block, 10_000);
    const proof = await proveCoGatewayOutbox(devnet.auxiliary.client, coGateway, [first.messageHash, second.messageHash], height);
    expect(proof.storage.map((s) => s.value)).to.deep.equal([1n, 1n]);
    const origin = devnet.originSender(worker);
    const proven = await origin.send(proveCoGatewayCall(gateway, proof));
    expect(contractInterface('EIP20Gateway').decodeLogs(proven.logs, gateway.address).map((e) => e.name)).to.include('GatewayProven');
    await origin.send(confirmRedeemIntentCall(gateway, first, proof, 0));
    await origin.send(confirmRedeemIntentCall(gateway, second, proof, 1));
    expect(await gateway.inboxStatus(first.messageHash)).to.equal(MessageStatus.Declared);
    expect(await gateway.inboxStatus(second.messageHash)).to.equal(MessageStatus.Declared);
  });

  it('refuses to confirm a redeem declared after the proven height', async () => {
    const { coGateway, gateway } = contracts();
    const worker = workers[0];
    await devnet.auxiliary.nextBlock();
    const height = await waitForOriginAnchor(devnet, await devnet.auxiliary.client.blockNumber(), 10_000);
    const late = await declareRedeem(stakers[2], worker);
    expect(late.block > height).to.equal(true);
    const proof = await proveCoGatewayOutbox(devnet.auxiliary.client, coGateway, [late.messageHash], height);
    expect(proof.storage[0].value, 'not yet in the outbox at the proven height').to.equal(0n);
    expect(() => confirmRedeemIntentCall(gateway, late, proof, 0)).to.throw(/Undeclared/);
  });

  it("takes a redeemer's next request while its previous message is still open, but refuses to accept it until that is progressed", async () => {
    const { pool, coGateway } = contracts();
    const redeemer = stakers[1]; // its message from the hash test is declared, never progressed
    const proxy = await pool.redeemerProxy(redeemer);
    expect(await coGateway.getNonce(proxy), 'one message declared by its proxy').to.equal(1n);
    const next = await requestRedeem({ ...redeemOptions(redeemer), amount: 2n * OST });
    expect(next.nonce, 'the nonce after the open message').to.equal(1n);
    const { hashLock } = generateHashLock();
    const refused = await devnet.auxiliarySender(workers[0])
      .send(pool.acceptRedeemRequest({ ...next, hashLock }, await coGateway.bounty()))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).to.be.instanceOf(RevertError);
    expect((refused as RevertError).reason).to.equal('Previous process is not completed.');
  });
});
