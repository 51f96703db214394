import { expect } from 'chai';
import type { Devnet } from '../../src/devnet/devnet';
import { devnetContracts } from '../../src/devnet/devnet-contracts';
import { requestRedeem, revokeRedeem, type RequestedRedeem } from '../../src/devnet/demo-redeemer';
import { requestStakeOnDevnet } from '../../src/devnet/devnet-stake';
import { contractInterface, Eip20Token, OstPrime } from '../../src/mosaic/contracts';
import { MessageStatus } from '../../src/mosaic/message-status';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';
import { startInProcessFacilitator, type InProcessFacilitator } from '../helpers/in-process-facilitator';

const OST = 10n ** 18n;

interface ChainEvent {
  name: string;
  messageHash: string;
  args: Record<string, unknown>;
}

/** Every event of `contract` on one chain so far (read from chain logs only). */
async function eventsOf(client: Devnet['origin']['client'], contract: 'EIP20Gateway' | 'EIP20CoGateway', address: string): Promise<ChainEvent[]> {
  const logs = await client.getLogs({ fromBlock: 0n, toBlock: await client.blockNumber(), address });
  return contractInterface(contract)
    .decodeLogs(logs, address)
    .map((e) => ({ name: e.name, messageHash: String(e.args._messageHash ?? '').toLowerCase(), args: e.args }));
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * UnstakeProgressed events on origin once there are `count`, and as many RedeemProgressed on the auxiliary
 * chain (the two progress steps go to two chains: either may be mined first).
 */
async function unstaked(devnet: Devnet, count: number, timeoutMs: number): Promise<ChainEvent[]> {
  const { gateway, coGateway } = devnetContracts(devnet);
  return until(`${count} UnstakeProgressed and RedeemProgressed`, timeoutMs, async () => {
    const events = (await eventsOf(devnet.origin.client, 'EIP20Gateway', gateway.address)).filter((e) => e.name === 'UnstakeProgressed');
    const redeemed = (await eventsOf(devnet.auxiliary.client, 'EIP20CoGateway', coGateway.address)).filter((e) => e.name === 'RedeemProgressed');
    return events.length >= count && redeemed.length >= count ? events : undefined;
  });
}

function redeemWith(devnet: Devnet, redeemer: string, amount: bigint): Promise<RequestedRedeem> {
  const { pair, redeemPool, coGateway } = devnetContracts(devnet);
  return requestRedeem({
    client: devnet.auxiliary.client,
    ostPrime: pair.auxiliary.ostPrimeAddress,
    redeemPool: redeemPool.address,
    coGateway: coGateway.address,
    redeemer: devnet.auxiliarySender(redeemer),
    amount,
  });
}

/** How many times each step's event appears per message: exactly once each, never twice. */
function countsByMessage(events: ChainEvent[], names: string[]): Map<string, Record<string, number>> {
  const counts = new Map<string, Record<string, number>>();
  for (const event of events.filter((e) => names.includes(e.name))) {
    const entry = counts.get(event.messageHash) ?? {};
    entry[event.name] = (entry[event.name] ?? 0) + 1;
    counts.set(event.messageHash, entry);
  }
  return counts;
}

interface SeenRecord {
  state: string;
  waiting: { kind: string; reason: string; since: string | null } | null;
}

/** Polls the status API for every redeem request's and message's wait until stopped (what an operator would see). */
function watchWaits(url: string): { stop(): Promise<{ records: SeenRecord[]; errors: string[] }> } {
  const records: SeenRecord[] = [];
  const errors: string[] = [];
  const query = '{ requests(direction: REDEEM) { state waiting { kind reason since } } messages(direction: REDEEM) { state waiting { kind reason since } } }';
  let running = true;
  const loop = (async () => {
    while (running) {
      const answer = (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) }).then((r) => r.json())) as {
        data?: { requests: SeenRecord[]; messages: SeenRecord[] };
        errors?: Array<{ message: string }>;
      };
      if (answer.errors) errors.push(...answer.errors.map((e) => e.message));
      if (answer.data) records.push(...answer.data.requests, ...answer.data.messages);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { records, errors };
    },
  };
}

describe('e2e: redeem & unstake facilitated on the devnet (in-process facilitator, chain state judged)', function () {
  this.timeout(300_000);
  let devnet: Devnet;
  let facilitator: InProcessFacilitator | undefined;

  before(async () => {
    devnet = await startTestDevnet({ stakers: 22, blockTimeMs: 100, anchorIntervalMs: 300 });
  });
  afterEach(async () => {
    await facilitator?.stop();
    facilitator = undefined;
  });
  after(async () => {
    await devnet?.close();
  });

  it('round trip: stake 100 OST, minted; redeem 40 back, unstaked: balances move on both chains and every step is sent once', async () => {
    const [user] = addressesWithRole(devnet, 'staker');
    const { pair, gateway, coGateway } = devnetContracts(devnet);
    const ost = new Eip20Token(devnet.origin.client, devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress);
    const ostPrime = new OstPrime(devnet.auxiliary.client, pair.auxiliary.ostPrimeAddress);
    facilitator = await startInProcessFacilitator(devnet, { confirmations: 0, reconcileIntervalMs: 500, status: true });

    await requestStakeOnDevnet(devnet, user);
    await until('the stake minted', 120_000, async () => {
      const minted = (await eventsOf(devnet.auxiliary.client, 'EIP20CoGateway', coGateway.address)).filter((e) => e.name === 'MintProgressed');
      return minted.length > 0 ? minted : undefined;
    });

    const ostBefore = await ost.balanceOf(user);
    const waits = watchWaits(facilitator.runtime.status!.url);
    const redeem = await redeemWith(devnet, user, 40n * OST);
    const [unstake] = await unstaked(devnet, 1, 120_000);
    const seen = await waits.stop();
    expect(seen.errors, 'the status API answered every poll').to.deep.equal([]);
    const open = seen.records.filter((r) => r.waiting !== null);
    expect(open.length, 'the redeem was seen waiting on its way').to.be.above(0);
    expect(open.every((r) => r.waiting!.reason.length > 0 && r.waiting!.since !== null), JSON.stringify(open.slice(0, 3))).to.equal(true);
    const nothingOpen = seen.records.filter((r) => r.waiting === null && !['COMPLETED', 'ACCEPTED'].includes(r.state));
    expect(nothingOpen, 'a record not final always says what it waits for').to.deep.equal([]);
    const rewardAmount = unstake.args._rewardAmount as bigint;
    expect(String(unstake.args._beneficiary).toLowerCase()).to.equal(user);
    expect(unstake.args._redeemAmount, 'redeemed').to.equal(40n * OST);
    expect(unstake.args._unstakeAmount, 'unstaked = redeemed − reward').to.equal(40n * OST - rewardAmount);
    expect(rewardAmount > 0n && rewardAmount <= redeem.gasPrice * redeem.gasLimit, 'reward within gasPrice × gasLimit').to.equal(true);
    expect(await ost.balanceOf(user), 'OST back on origin').to.equal(ostBefore + 40n * OST - rewardAmount);
    expect(await ostPrime.balanceOf(pair.auxiliary.redeemPoolAddress), 'nothing left in the pool').to.equal(0n);
    expect(await coGateway.outboxStatus(unstake.messageHash), 'cogateway outbox').to.equal(MessageStatus.Progressed);
    expect(await gateway.inboxStatus(unstake.messageHash), 'gateway inbox').to.equal(MessageStatus.Progressed);

    const auxEvents = countsByMessage(await eventsOf(devnet.auxiliary.client, 'EIP20CoGateway', coGateway.address), ['RedeemIntentDeclared', 'RedeemProgressed']);
    const originEvents = countsByMessage(await eventsOf(devnet.origin.client, 'EIP20Gateway', gateway.address), ['RedeemIntentConfirmed', 'UnstakeProgressed']);
    expect(auxEvents.get(unstake.messageHash)).to.deep.equal({ RedeemIntentDeclared: 1, RedeemProgressed: 1 });
    expect(originEvents.get(unstake.messageHash)).to.deep.equal({ RedeemIntentConfirmed: 1, UnstakeProgressed: 1 });

    const knex = facilitator.runtime.knex;
    const rows = (await knex('messages').where({ direction: 'REDEEM' })) as Array<{ message_hash: string; state: string }>;
    await until('the REDEEM message COMPLETED in the database', 30_000, async () => {
      const row = (await knex('messages').where({ message_hash: unstake.messageHash }).first()) as { state: string; direction: string } | undefined;
      return row?.state === 'COMPLETED' ? row : undefined;
    });
    expect(rows.map((r) => r.message_hash)).to.deep.equal([unstake.messageHash]);
    const request = (await knex('stake_requests').where({ stake_request_hash: redeem.redeemRequestHash }).first()) as { state: string; direction: string };
    expect([request.direction, request.state]).to.deep.equal(['REDEEM', 'ACCEPTED']);
    expect(facilitator.logLines(/^message state COMPLETED$/).some((l) => l.direction === 'REDEEM'), 'logs carry the direction').to.equal(true);

    // The status API tells how it got there, and that it waits for nothing more.
    const query = `{ message(messageHash: "${unstake.messageHash}") { direction waitingFor history { state event txHash blockNumber } } }`;
    const answer = (await fetch(facilitator.runtime.status!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) }).then((r) => r.json())) as {
      data: { message: { direction: string; waitingFor: string | null; history: Array<{ state: string; event: string; txHash: string | null; blockNumber: string | null }> } };
    };
    const { message } = answer.data;
    expect([message.direction, message.waitingFor]).to.deep.equal(['REDEEM', null]);
    const requestQuery = `{ request(requestHash: "${redeem.redeemRequestHash}") { waitingFor history { state event } } }`;
    const requestAnswer = (await fetch(facilitator.runtime.status!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: requestQuery }) }).then((r) => r.json())) as {
      data: { request: { waitingFor: string | null; history: Array<{ state: string; event: string }> } };
    };
    expect(requestAnswer.data.request.waitingFor, 'its message completed: the request waits for nothing').to.equal(null);
    expect(requestAnswer.data.request.history.map((h) => h.state)).to.deep.equal(['REQUESTED', 'ACCEPTING', 'ACCEPTED']);
    const states = message.history.map((h) => h.state);
    expect(states[0]).to.equal('ACCEPTING');
    expect(states.at(-1)).to.equal('COMPLETED');
    expect(states, 'every state of the way').to.include.members(['DECLARED', 'CONFIRMED']);
    // The declaration and the confirmation show the transaction and block that made them (later box moves may
    // be read from the chain by a service before the outcome arrives: then they carry none).
    for (const state of ['DECLARED', 'CONFIRMED']) {
      const entry = message.history.find((h) => h.state === state)!;
      expect([entry.txHash, entry.blockNumber].every((v) => v !== null), `${state} shows its transaction and block`).to.equal(true);
    }
  });

  it('20 concurrent redeems all end unstaked, each step once, with fewer proofs than messages; a redeem revoked before the facilitator runs is never accepted', async () => {
    const redeemers = addressesWithRole(devnet, 'staker').slice(1, 21);
    const [revoker] = addressesWithRole(devnet, 'staker').slice(21);
    const { gateway, coGateway, redeemPool } = devnetContracts(devnet);
    // OSTPrime to wrap: stake & mint for every redeemer first (the facilitator does it).
    facilitator = await startInProcessFacilitator(devnet, { confirmations: 0, reconcileIntervalMs: 500 });
    const mintedBefore = (await eventsOf(devnet.auxiliary.client, 'EIP20CoGateway', coGateway.address)).filter((e) => e.name === 'MintProgressed').length;
    await Promise.all([...redeemers, revoker].map((staker) => requestStakeOnDevnet(devnet, staker)));
    await until('every stake minted', 180_000, async () => {
      const minted = (await eventsOf(devnet.auxiliary.client, 'EIP20CoGateway', coGateway.address)).filter((e) => e.name === 'MintProgressed');
      return minted.length >= mintedBefore + redeemers.length + 1 ? minted : undefined;
    });
    await facilitator.stop();
    facilitator = undefined;

    // Requested and revoked while no facilitator runs: the revocation is on chain before anyone looks.
    const revoked = await redeemWith(devnet, revoker, 5n * OST);
    await revokeRedeem({ client: devnet.auxiliary.client, redeemPool: redeemPool.address, redeemer: devnet.auxiliarySender(revoker), request: revoked });

    const unstakedBefore = (await eventsOf(devnet.origin.client, 'EIP20Gateway', gateway.address)).filter((e) => e.name === 'UnstakeProgressed').length;
    const provesBefore = (await eventsOf(devnet.origin.client, 'EIP20Gateway', gateway.address)).filter((e) => e.name === 'GatewayProven').length;
    const redeems = await Promise.all(redeemers.map((redeemer) => redeemWith(devnet, redeemer, 10n * OST)));
    facilitator = await startInProcessFacilitator(devnet, { confirmations: 0, reconcileIntervalMs: 500 });
    await unstaked(devnet, unstakedBefore + redeems.length, 180_000);

    const originEvents = await eventsOf(devnet.origin.client, 'EIP20Gateway', gateway.address);
    const auxEvents = await eventsOf(devnet.auxiliary.client, 'EIP20CoGateway', coGateway.address);
    const declared = auxEvents.filter((e) => e.name === 'RedeemIntentDeclared');
    const ours = new Set(redeems.map((r) => r.redeemerProxy));
    const ourDeclarations = declared.filter((e) => ours.has(String(e.args._redeemer).toLowerCase()));
    expect(ourDeclarations, 'one declaration per redeem').to.have.length(redeems.length);
    const origin = countsByMessage(originEvents, ['RedeemIntentConfirmed', 'UnstakeProgressed']);
    const aux = countsByMessage(auxEvents, ['RedeemIntentDeclared', 'RedeemProgressed']);
    for (const { messageHash } of ourDeclarations) {
      expect(origin.get(messageHash), messageHash).to.deep.equal({ RedeemIntentConfirmed: 1, UnstakeProgressed: 1 });
      expect(aux.get(messageHash), messageHash).to.deep.equal({ RedeemIntentDeclared: 1, RedeemProgressed: 1 });
    }
    const proofs = originEvents.filter((e) => e.name === 'GatewayProven').length - provesBefore;
    expect(proofs, 'proofs of the cogateway on origin').to.be.greaterThan(0).and.lessThan(redeems.length);

    const revokedProxy = revoked.redeemerProxy;
    expect(declared.some((e) => String(e.args._redeemer).toLowerCase() === revokedProxy && (e.args._redeemerNonce as bigint) === revoked.nonce), 'the revoked redeem declared').to.equal(false);
    const knex = facilitator.runtime.knex;
    const request = await until('the revoked request recorded', 30_000, async () => {
      return (await knex('stake_requests').where({ stake_request_hash: revoked.redeemRequestHash }).first()) as { state: string; direction: string } | undefined;
    });
    expect([request.direction, request.state]).to.deep.equal(['REDEEM', 'REVOKED']);
    const accepts = (await knex('transactions').where({ purpose: 'acceptRedeemRequest' })) as Array<{ subject: string }>;
    expect(accepts.map((a) => a.subject), 'no accept queued for the revoked request').to.not.include(revoked.redeemRequestHash);
  });
});
