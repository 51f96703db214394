import { expect } from 'chai';
import { contractInterface } from '../../src/mosaic/contracts';
import { generateHashLock, messageHash, stakeIntentHash, stakeRequestHash } from '../../src/mosaic/hashes';
import { MessageStatus } from '../../src/mosaic/message-status';
import { confirmStakeIntentCall, proveGatewayCall, proveGatewayOutbox } from '../../src/mosaic/stake-proofs';
import { requestStake } from '../../src/devnet/demo-staker';
import type { Devnet } from '../../src/devnet/devnet';
import { scriptedStakeAndMint } from '../../src/devnet/scripted-stake-and-mint';
import { RevertError } from '../../src/chain/errors';
import { devnetContracts } from '../../src/devnet/devnet-contracts';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';

describe('stake & mint sent directly against the real Mosaic 0.12 contracts', function () {
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

  const contracts = () => devnetContracts(devnet);

  it('mints amount − reward to the beneficiary, returns the bounty and leaves both message boxes Progressed', async () => {
    const { gateway, coGateway, ost } = contracts();
    const [staker] = stakers;
    const [worker] = workers;
    const beneficiary = '0x00000000000000000000000000000000000b0b01';
    const workerOstBefore = await ost.balanceOf(worker);
    const stakerOstBefore = await ost.balanceOf(staker);
    const beneficiaryBefore = await devnet.auxiliary.client.getBalance(beneficiary);

    const result = await scriptedStakeAndMint(devnet, { staker, worker, beneficiary });

    const minted = contractInterface('EIP20CoGateway')
      .decodeLogs(result.receipts.progressMint.logs, coGateway.address)
      .find((e) => e.name === 'MintProgressed');
    expect(minted, 'MintProgressed event').to.not.equal(undefined);
    const reward = minted!.args._rewardAmount as bigint;
    expect(reward > 0n, 'reward is paid').to.equal(true);
    expect(reward <= result.request.gasPrice * result.request.gasLimit, 'reward capped by gasPrice × gasLimit').to.equal(true);
    expect(minted!.args._mintedAmount).to.equal(result.request.amount - reward);

    const beneficiaryAfter = await devnet.auxiliary.client.getBalance(beneficiary);
    expect(beneficiaryAfter - beneficiaryBefore).to.equal(result.request.amount - reward);
    expect(await ost.balanceOf(worker), 'bounty came back to the worker').to.equal(workerOstBefore);
    expect(await ost.balanceOf(staker)).to.equal(stakerOstBefore - result.request.amount);
    expect(await gateway.outboxStatus(result.messageHash)).to.equal(MessageStatus.Progressed);
    expect(await coGateway.inboxStatus(result.messageHash)).to.equal(MessageStatus.Progressed);
  });

  it('computes the stake request hash, intent hash and message hash that the contracts emit', async () => {
    const { composer, gateway, ost } = contracts();
    const staker = stakers[1];
    const worker = workers[0];
    const request = await requestStake({
      client: devnet.origin.client,
      composer: composer.address,
      gateway: gateway.address,
      valueToken: ost.address,
      staker: devnet.originSender(staker),
    });
    expect(stakeRequestHash({ ...request, staker }, composer.address)).to.equal(request.stakeRequestHash);

    const { hashLock } = generateHashLock();
    await devnet.originSender(worker).send(ost.approve(composer.address, await gateway.bounty()));
    const receipt = await devnet.originSender(worker).send(composer.acceptStakeRequest({ ...request, staker, hashLock }));
    const declared = contractInterface('EIP20Gateway')
      .decodeLogs(receipt.logs, gateway.address)
      .find((e) => e.name === 'StakeIntentDeclared');
    const computed = messageHash({
      intentHash: stakeIntentHash(request.amount, request.beneficiary, gateway.address),
      nonce: request.nonce,
      gasPrice: request.gasPrice,
      gasLimit: request.gasLimit,
      sender: request.stakerProxy,
      hashLock,
    });
    expect(declared?.args._messageHash).to.equal(computed);
    expect(String(declared?.args._staker).toLowerCase()).to.equal(request.stakerProxy);
  });

  /** requestStake + acceptStakeRequest; returns the message as confirmStakeIntent needs it. */
  async function declareStake(staker: string, worker: string) {
    const { composer, gateway, ost } = contracts();
    const request = await requestStake({
      client: devnet.origin.client,
      composer: composer.address,
      gateway: gateway.address,
      valueToken: ost.address,
      staker: devnet.originSender(staker),
    });
    const lock = generateHashLock();
    await devnet.originSender(worker).send(ost.approve(composer.address, await gateway.bounty()));
    const receipt = await devnet.originSender(worker).send(
      composer.acceptStakeRequest({ ...request, staker, hashLock: lock.hashLock }),
    );
    const declared = contractInterface('EIP20Gateway')
      .decodeLogs(receipt.logs, gateway.address)
      .find((e) => e.name === 'StakeIntentDeclared');
    return { ...request, ...lock, messageHash: String(declared!.args._messageHash), block: BigInt(receipt.blockNumber) };
  }

  async function anchorOriginHead(): Promise<bigint> {
    const { auxAnchor } = contracts();
    await devnet.origin.nextBlock(); // a height above any anchored one
    const head = await devnet.origin.client.getBlock('latest');
    const admin = addressesWithRole(devnet, 'admin')[0];
    await devnet.auxiliarySender(admin).send(auxAnchor.anchorStateRoot(BigInt(head.number), head.stateRoot));
    return BigInt(head.number);
  }

  it('serves two confirmStakeIntent calls with one proveGateway (one eth_getProof, two slots)', async () => {
    const { gateway, coGateway } = contracts();
    const worker = workers[1];
    const first = await declareStake(stakers[2], worker);
    const second = await declareStake(stakers[3], worker);
    const height = await anchorOriginHead();
    const proof = await proveGatewayOutbox(devnet.origin.client, gateway, [first.messageHash, second.messageHash], height);
    expect(proof.storage.map((s) => s.value)).to.deep.equal([1n, 1n]);

    const aux = devnet.auxiliarySender(worker);
    const proven = await aux.send(proveGatewayCall(coGateway, proof));
    const provenEvents = contractInterface('EIP20CoGateway').decodeLogs(proven.logs, coGateway.address);
    expect(provenEvents.map((e) => e.name)).to.include('GatewayProven');
    await aux.send(confirmStakeIntentCall(coGateway, first, proof, 0));
    await aux.send(confirmStakeIntentCall(coGateway, second, proof, 1));
    expect(await coGateway.inboxStatus(first.messageHash)).to.equal(MessageStatus.Declared);
    expect(await coGateway.inboxStatus(second.messageHash)).to.equal(MessageStatus.Declared);
  });

  it('refuses to confirm a message declared after the proven height, with the revert reason in the error', async () => {
    const { gateway, coGateway } = contracts();
    const worker = workers[0];
    const height = await anchorOriginHead();
    const aux = devnet.auxiliarySender(worker);
    const late = await declareStake(stakers[4], worker);
    expect(late.block > height).to.equal(true);
    const proof = await proveGatewayOutbox(devnet.origin.client, gateway, [late.messageHash], height);
    expect(proof.storage[0].value, 'not yet in the outbox at the proven height').to.equal(0n);
    expect(() => confirmStakeIntentCall(coGateway, late, proof, 0)).to.throw(/Undeclared/);
    await aux.send(proveGatewayCall(coGateway, proof));

    // Send it anyway, bypassing the local check, to see the contract's own verdict.
    const confirmParams = {
      staker: late.stakerProxy,
      stakerNonce: late.nonce,
      beneficiary: late.beneficiary,
      amount: late.amount,
      gasPrice: late.gasPrice,
      gasLimit: late.gasLimit,
      hashLock: late.hashLock,
      blockHeight: height,
      rlpParentNodes: proof.storage[0].rlpParentNodes,
    };
    const call = coGateway.confirmStakeIntent(confirmParams);
    const caught = await aux.send(call).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(caught).to.be.instanceOf(RevertError);
    expect((caught as RevertError).message).to.contain('EIP20CoGateway.confirmStakeIntent reverted');
    // The Merkle library reverts with "Merkle proof verification failed." or, for some trie shapes
    // (hash locks are random), without a reason; either way the message must not confirm.
    if ((caught as RevertError).reason !== undefined) {
      expect((caught as RevertError).reason).to.match(/Merkle proof verification failed/i);
    }
    expect(await coGateway.inboxStatus(late.messageHash)).to.equal(MessageStatus.Undeclared);

    // At a height nobody proved, the contract names the problem: the reason reaches the error.
    const unproven = await aux
      .send(coGateway.confirmStakeIntent({ ...confirmParams, blockHeight: late.block }))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(unproven).to.be.instanceOf(RevertError);
    expect((unproven as RevertError).reason).to.match(/storage root/i);
  });
});
