import { expect } from 'chai';
import type { Knex } from 'knex';
import { toQuantity } from '../../src/chain/chain-client';
import type { DevChain } from '../../src/devnet/anvil-chain';
import { DEFAULT_STAKE, nextStakeNonce, type RequestedStake } from '../../src/devnet/demo-staker';
import type { Devnet } from '../../src/devnet/devnet';
import { requestStakeOnDevnet } from '../../src/devnet/devnet-stake';
import { contractInterface, Eip20Gateway, Eip20Token, OstComposer } from '../../src/mosaic/contracts';
import { MessageStatus } from '../../src/mosaic/message-status';
import { scanTransactions } from '../helpers/chain-scan';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';
import { startInProcessFacilitator, type InProcessFacilitator } from '../helpers/in-process-facilitator';

/**
 * Reorg drill on the anvil devnet, with the facilitator (embedded indexer, streams, engines) running.
 *
 * The devnet mines one block per transaction (blockTimeMs 0) and the test mines the others itself
 * (evm_mine), so it knows exactly which blocks a reorg replaces. What anvil 1.7.1 does with
 * `anvil_reorg(depth, [[tx, offset], …])` (observed here): the last `depth` blocks are replaced by as
 * many new ones (the head number stays, each replaced height gets a new hash), the given transactions
 * go into the new blocks at their offsets (offset 0 = the first replaced height; a transaction
 * *request* needs its sender impersonated, anvil signs it), and the transactions of the orphaned blocks
 * are DROPPED: not put back in the mempool (txpool_content is empty, eth_getTransactionByHash answers
 * null, the sender's nonce goes back). A transaction still pending in the pool when the reorg happens
 * stays there (mined later) — though eth_getTransactionByHash stops answering for it. A geth node
 * re-injects the transactions of orphaned blocks into its pool instead; the drill covers the harsher case.
 */

const CONFIRMATIONS = 2;

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Mines a block every `everyMs` until stopped (the devnet itself only mines a block per transaction). */
function startMiner(chain: DevChain, everyMs: number): { stop(): Promise<void> } {
  let last: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    if (!stopped) last = last.then(() => chain.client.rpc.request('evm_mine', [])).catch(() => undefined);
  }, everyMs);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await last;
    },
  };
}

/**
 * Replaces every block from `firstOrphaned` to the head with new ones holding `transactions` (requests
 * from impersonated senders, at block offsets). Automine is off meanwhile, so no transaction the
 * facilitator sends in between can add a block and make the reorg one block too shallow.
 */
async function reorgFrom(
  chain: DevChain,
  firstOrphaned: bigint,
  transactions: Array<[{ from: string; to: string; data: string; gas: string }, number]> = [],
): Promise<{ head: bigint; depth: number }> {
  const rpc = chain.client.rpc;
  await rpc.request('evm_setAutomine', [false]);
  try {
    const head = await chain.client.blockNumber();
    const depth = Number(head - firstOrphaned + 1n);
    for (const [tx] of transactions) await rpc.request('anvil_impersonateAccount', [tx.from]);
    await rpc.request('anvil_reorg', [depth, transactions]);
    for (const [tx] of transactions) await rpc.request('anvil_stopImpersonatingAccount', [tx.from]);
    return { head, depth };
  } finally {
    await rpc.request('evm_setAutomine', [true]);
  }
}

async function gql<T>(url: string, query: string): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!;
}

interface IndexedHead {
  number: bigint;
  hash: string;
}

/** The origin subgraph's head; block -1 while it has not indexed one (graph-node: "has not started syncing yet"). */
async function indexedHead(facilitator: InProcessFacilitator): Promise<IndexedHead> {
  try {
    const data = await gql<{ _meta: { block: { number: number; hash: string } } }>(facilitator.subgraphUrl('origin'), '{ _meta { block { number hash } } }');
    return { number: BigInt(data._meta.block.number), hash: data._meta.block.hash };
  } catch (error) {
    if (error instanceof Error && error.message.includes('has not started syncing yet')) return { number: -1n, hash: '' };
    throw error;
  }
}

async function indexedStakeRequests(facilitator: InProcessFacilitator, stakeRequestHash: string): Promise<Array<{ id: string; blockNumber: string; blockHash: string }>> {
  const data = await gql<{ stakeRequesteds: Array<{ id: string; blockNumber: string; blockHash: string }> }>(
    facilitator.subgraphUrl('origin'),
    `{ stakeRequesteds(where: { stakeRequestHash: "${stakeRequestHash.toLowerCase()}" }) { id blockNumber blockHash } }`,
  );
  return data.stakeRequesteds;
}

interface TransactionRow {
  id: number;
  purpose: string;
  subject: string;
  status: string;
  nonce: string | null;
  tx_hashes: string;
  last_error: string | null;
}

function acceptRows(knex: Knex, stakeRequestHash: string): Promise<TransactionRow[]> {
  return knex<TransactionRow>('transactions')
    .where({ purpose: 'acceptStakeRequest' })
    .andWhere((q) => q.where('subject', stakeRequestHash).orWhere('subject', 'like', `${stakeRequestHash}#%`))
    .orderBy('id');
}

describe('e2e: reorg drill on anvil (anvil_reorg) with the facilitator running', function () {
  this.timeout(120_000);
  let devnet: Devnet;
  let facilitator: InProcessFacilitator | undefined;
  const miners: Array<{ stop(): Promise<void> }> = [];

  afterEach(async function () {
    for (const miner of miners.splice(0)) await miner.stop();
    if (this.currentTest?.state === 'failed' && facilitator) {
      const lines = facilitator.logs().split('\n').filter((line) => !line.startsWith('{"level":20'));
      process.stderr.write(`--- facilitator log (info and above, last 150 lines) ---\n${lines.slice(-150).join('\n')}\n`);
    }
    try {
      // Bounded: a step waiting for a block that never comes must not keep the devnet up.
      const stopping = facilitator?.stop();
      if (stopping) await Promise.race([stopping, new Promise((r) => setTimeout(r, 20_000).unref())]);
    } finally {
      facilitator = undefined;
      await devnet?.close();
    }
  });

  const pair = () => devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
  const composer = () => new OstComposer(devnet.origin.client, pair().origin.ostComposerAddress);
  const stakeFor = (staker: string, beneficiary: string): Promise<RequestedStake> => requestStakeOnDevnet(devnet, staker, beneficiary);
  const mine = async (blocks: number) => {
    for (let i = 0; i < blocks; i++) await devnet.origin.client.rpc.request('evm_mine', []);
  };
  const mineContinuously = () => {
    const miner = startMiner(devnet.origin, 100);
    miners.push(miner);
    return miner;
  };
  const waitIndexed = (through: bigint) =>
    until(`the origin indexer at block ${through}`, 20_000, async () => {
      const head = await indexedHead(facilitator!);
      return head.number >= through ? head : undefined;
    });

  /** The workers approve the composer for many bounties up front, so no approval of theirs falls in a reorganised range. */
  async function approveBountiesUpFront(): Promise<void> {
    const token = new Eip20Token(devnet.origin.client, devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress);
    const bounty = await new Eip20Gateway(devnet.origin.client, pair().origin.ostEIP20GatewayAddress).bounty();
    for (const worker of addressesWithRole(devnet, 'worker')) {
      await devnet.originSender(worker).send(token.approve(pair().origin.ostComposerAddress, bounty * 1000n));
    }
  }

  /** A requestStake of `staker` (its token approval already mined) as a transaction request for anvil_reorg. */
  async function requestStakeTransaction(staker: string, beneficiary: string): Promise<{ from: string; to: string; data: string; gas: string }> {
    const gateway = new Eip20Gateway(devnet.origin.client, pair().origin.ostEIP20GatewayAddress);
    const call = composer().requestStake({
      ...DEFAULT_STAKE,
      beneficiary,
      nonce: await nextStakeNonce(composer(), gateway, staker),
      gateway: gateway.address,
    });
    return { from: staker, to: call.to, data: call.data, gas: toQuantity(call.gas) };
  }

  it('(a) a StakeRequested reorganised away before the configured confirmations is never acted on', async () => {
    const confirmations = 3;
    devnet = await startTestDevnet({ stakers: 2, blockTimeMs: 0 });
    facilitator = await startInProcessFacilitator(devnet, { confirmations });
    const knex = facilitator.runtime.knex;
    const [orphanStaker, laterStaker] = addressesWithRole(devnet, 'staker');
    await waitIndexed((await devnet.origin.client.blockNumber()) - BigInt(confirmations));

    const orphan = await stakeFor(orphanStaker, '0x00000000000000000000000000000000000a0001');
    // The most blocks it can have without being actionable: the indexer takes blocks ≤ head − confirmations.
    await mine(confirmations - 1);
    await waitIndexed(orphan.blockNumber - 1n);
    await new Promise((r) => setTimeout(r, 1_500)); // time enough to act, had it been actionable
    expect(await knex('stake_requests').count({ n: '*' }).first(), 'recorded before its confirmations').to.deep.equal({ n: 0 });

    const { depth } = await reorgFrom(devnet.origin, orphan.blockNumber);
    expect(depth).to.equal(confirmations);
    expect(await devnet.origin.client.getReceipt(orphan.transactionHash), 'the requestStake is orphaned').to.equal(null);
    expect(await composer().stakeRequestExists(orphan.stakeRequestHash)).to.equal(false);

    // The new branch grows past the orphaned height by more than the confirmations.
    await mine(confirmations + 2);
    const indexed = await waitIndexed(orphan.blockNumber + 2n);
    expect(indexed.hash, 'the indexer is on the new branch').to.equal((await devnet.origin.client.getBlock(indexed.number)).hash);
    await new Promise((r) => setTimeout(r, 1_500));

    expect(await indexedStakeRequests(facilitator, orphan.stakeRequestHash), 'indexed').to.deep.equal([]);
    expect(await knex('stake_requests').select('stake_request_hash'), 'facilitation store: stake requests').to.deep.equal([]);
    expect(await knex('messages').select('message_hash'), 'facilitation store: messages').to.deep.equal([]);
    expect(await knex('transactions').select('purpose', 'subject'), 'outbox').to.deep.equal([]);
    const workers = new Set(addressesWithRole(devnet, 'worker'));
    const sent = (await scanTransactions(devnet.origin.client, { [pair().origin.ostComposerAddress]: 'OSTComposer' })).filter((tx) => workers.has(tx.from));
    expect(sent.map((tx) => tx.method), 'worker transactions on chain').to.deep.equal([]);

    // The facilitator was alive all along: a request that stays on the chain is accepted.
    mineContinuously();
    const later = await stakeFor(laterStaker, '0x00000000000000000000000000000000000a0002');
    const message = await until('the later request declared', 30_000, async () =>
      knex('messages').where({ stake_request_hash: later.stakeRequestHash.toLowerCase(), state: 'DECLARED' }).first(),
    );
    expect(message.stake_request_hash).to.equal(later.stakeRequestHash.toLowerCase());
    expect(await knex('stake_requests').where({ stake_request_hash: orphan.stakeRequestHash.toLowerCase() }).first()).to.equal(undefined);
  });

  it('(b, c) a StakeRequested reorganised away after its accept was sent ends ORPHANED with a reason, its accept settles and stops; the indexer drops the orphaned entities', async () => {
    devnet = await startTestDevnet({ stakers: 3, blockTimeMs: 0 });
    await approveBountiesUpFront();
    const [orphanStaker, branchStaker, laterStaker] = addressesWithRole(devnet, 'staker');
    // The staker whose request the new branch carries approves the composer before the reorganised range.
    const token = new Eip20Token(devnet.origin.client, devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress);
    await devnet.originSender(branchStaker).send(token.approve(pair().origin.ostComposerAddress, DEFAULT_STAKE.amount));
    facilitator = await startInProcessFacilitator(devnet, { confirmations: CONFIRMATIONS, stuckAfterMs: 1_000 });
    const knex = facilitator.runtime.knex;
    const orphanHash = (await stakeFor(orphanStaker, '0x00000000000000000000000000000000000b0001')).stakeRequestHash.toLowerCase();
    const orphanBlock = await devnet.origin.client.blockNumber();

    // Confirmations reached: the accept goes out and is mined at once (a block per transaction), then no
    // further block, so the engine still waits for its confirmations: it is in flight when the reorg comes.
    await mine(CONFIRMATIONS);
    const [accept] = await until('the accept mined', 30_000, async () => {
      const rows = await acceptRows(knex, orphanHash);
      const hashes = rows[0] ? (JSON.parse(rows[0].tx_hashes) as string[]) : [];
      return hashes.length > 0 && (await devnet.origin.client.getReceipt(hashes[0])) ? rows : undefined;
    });
    expect(accept.status, 'accept in flight').to.equal('sent');
    const indexedBefore = await waitIndexed((await devnet.origin.client.blockNumber()) - BigInt(CONFIRMATIONS));
    expect((await indexedStakeRequests(facilitator, orphanHash)).length, 'indexed before the reorg').to.equal(1);

    // The new branch replaces everything from the request on, and carries another staker's request at its height.
    const branchRequest = await requestStakeTransaction(branchStaker, '0x00000000000000000000000000000000000b0002');
    await reorgFrom(devnet.origin, orphanBlock, [[branchRequest, 0]]);
    const acceptHash = (JSON.parse(accept.tx_hashes) as string[])[0];
    expect(await devnet.origin.client.getReceipt(acceptHash), 'the accept is orphaned').to.equal(null);
    expect(await composer().stakeRequestExists(orphanHash)).to.equal(false);
    const branchBlock = await devnet.origin.client.getBlock(orphanBlock);
    const branchReceipt = (await devnet.origin.client.getReceipt(branchBlock.transactions[0]))!;
    const branchEvent = contractInterface('OSTComposer')
      .decodeLogs(branchReceipt.logs, pair().origin.ostComposerAddress)
      .find((e) => e.name === 'StakeRequested')!;
    const branchHash = String(branchEvent.args.stakeRequestHash).toLowerCase();

    // (c) The indexer rolls the orphaned blocks back: the orphaned entity is gone, the new branch's is
    // there, and its head is the new block at the same height.
    const reindexed = await until('the indexer on the new branch', 20_000, async () => {
      const head = await indexedHead(facilitator!);
      return head.number >= indexedBefore.number && head.hash === (await devnet.origin.client.getBlock(head.number)).hash ? head : undefined;
    });
    // A block mined meanwhile may take the indexer one further (CI under load did): at least as high,
    // and at the old height no longer the orphaned block.
    expect(reindexed.number >= indexedBefore.number, 'indexed height').to.equal(true);
    expect((await devnet.origin.client.getBlock(indexedBefore.number)).hash, 'the new block at that height').to.not.equal(indexedBefore.hash);
    expect(await indexedStakeRequests(facilitator, orphanHash), 'orphaned entity').to.deep.equal([]);
    const branchEntities = await indexedStakeRequests(facilitator, branchHash);
    expect(branchEntities.map((e) => [e.blockNumber, e.blockHash])).to.deep.equal([[String(orphanBlock), branchBlock.hash]]);

    // (b) The facilitator records what happened, the orphaned accept settles, nothing more is sent for it.
    mineContinuously();
    const request = await until('the orphaned request recorded', 30_000, async () => {
      const row = await knex('stake_requests').where({ stake_request_hash: orphanHash }).first();
      return row && row.state !== 'ACCEPTING' && row.state !== 'REQUESTED' ? row : undefined;
    });
    expect(request.state, request.reason).to.equal('ORPHANED');
    expect(request.reason).to.match(/reorganised away/);
    const message = await knex('messages').where({ stake_request_hash: orphanHash }).first();
    expect(message.state).to.equal('ABANDONED');
    expect(message.reason).to.match(/reorganised away/);
    const settled = await until('the orphaned accept final', 30_000, async () => {
      const rows = await acceptRows(knex, orphanHash);
      return rows.every((r) => r.status === 'mined' || r.status === 'failed') ? rows : undefined;
    });
    const sendsFor = () =>
      facilitator!.logLines(/transaction sent|replaced|cancelling/).filter((line) => String(line.subject).startsWith(orphanHash)).length;
    const sendsAtSettle = sendsFor();
    await new Promise((r) => setTimeout(r, 5_000)); // several stuck delays and reconcile passes
    expect(await acceptRows(knex, orphanHash), 'no new attempt').to.deep.equal(settled);
    expect(sendsFor(), 'sends for the orphaned request after it settled').to.equal(sendsAtSettle);

    // The request the new branch carries is picked up, although its height was passed before the reorg,
    // and a later request goes through: the worker's nonce and the streams are sound after the reorg.
    const laterStake = await stakeFor(laterStaker, '0x00000000000000000000000000000000000b0003');
    for (const hash of [branchHash, laterStake.stakeRequestHash.toLowerCase()]) {
      await until(`request ${hash} declared`, 30_000, async () => knex('messages').where({ stake_request_hash: hash, state: 'DECLARED' }).first());
    }
    const gateway = new Eip20Gateway(devnet.origin.client, pair().origin.ostEIP20GatewayAddress);
    for (const row of await knex('messages').whereIn('stake_request_hash', [branchHash, laterStake.stakeRequestHash.toLowerCase()])) {
      expect(await gateway.outboxStatus(row.message_hash)).to.equal(MessageStatus.Declared);
    }
  });

  /** Mines one block at a time, giving the facilitator a second after each, until `probe` answers. */
  async function mineUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await until(what, 1_000, probe);
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await mine(1);
    }
  }

  it('(b) also when the reorg orphans an earlier transaction of the same worker (its bounty approval): the orphaned accept settles and the worker sends again', async () => {
    // No approval up front: the first accept of the worker comes after its bounty approval, and a reorg
    // deeper than the request orphans both. The worker's nonce on chain goes back below the accept's.
    devnet = await startTestDevnet({ stakers: 2, blockTimeMs: 0, workers: 1 });
    const [orphanStaker, laterStaker] = addressesWithRole(devnet, 'staker');
    facilitator = await startInProcessFacilitator(devnet, { confirmations: CONFIRMATIONS, stuckAfterMs: 1_000 });
    const knex = facilitator.runtime.knex;
    const orphan = await stakeFor(orphanStaker, '0x00000000000000000000000000000000000b0101');
    const orphanHash = orphan.stakeRequestHash.toLowerCase();
    await mine(CONFIRMATIONS);
    // The accept waits for the approval to be final; then no more blocks: the accept stays in flight.
    await mineUntil('the bounty approval final', 30_000, async () => knex('transactions').where({ purpose: 'approveBounty', status: 'mined' }).first());
    const [accept] = await until('the accept mined', 30_000, async () => {
      const rows = await acceptRows(knex, orphanHash);
      const hashes = rows[0] ? (JSON.parse(rows[0].tx_hashes) as string[]) : [];
      return hashes.length > 0 && (await devnet.origin.client.getReceipt(hashes[0])) ? rows : undefined;
    });
    const approval = await knex('transactions').where({ purpose: 'approveBounty' }).first();
    expect(approval?.nonce, 'the approval came first').to.equal('0');
    expect(accept.nonce).to.equal('1');
    await reorgFrom(devnet.origin, orphan.blockNumber);
    const worker = addressesWithRole(devnet, 'worker')[0];
    expect(await devnet.origin.client.getTransactionCount(worker, 'latest'), 'the worker\'s nonce went back').to.equal(0n);

    mineContinuously();
    const request = await until('the orphaned request recorded', 30_000, async () => {
      const row = await knex('stake_requests').where({ stake_request_hash: orphanHash }).first();
      return row && row.state !== 'ACCEPTING' && row.state !== 'REQUESTED' ? row : undefined;
    });
    expect(request.state, request.reason).to.equal('ORPHANED');
    // What the transaction engine must do (src/chain/tx-engine): notice that its transactions' blocks
    // were reorganised away and that the chain's nonce went back, so the orphaned accept ends (cancelled
    // or failed) instead of being replaced for ever at a nonce the chain cannot reach.
    const settled = await until('the orphaned accept final (the engine must see the nonce gap the reorg left)', 20_000, async () => {
      const rows = await acceptRows(knex, orphanHash);
      return rows.every((r) => r.status === 'mined' || r.status === 'failed') ? rows : undefined;
    });
    expect(settled.length).to.be.greaterThan(0);
    // And the worker is not blocked: its next accept is mined.
    const later = await stakeFor(laterStaker, '0x00000000000000000000000000000000000b0102');
    await until('the later request declared', 30_000, async () =>
      knex('messages').where({ stake_request_hash: later.stakeRequestHash.toLowerCase(), state: 'DECLARED' }).first(),
    );
  });

  it('(d) a declaration reorganised away after its accept was final (deeper than the confirmations) ends ORPHANED; nothing is proven or confirmed for it', async () => {
    devnet = await startTestDevnet({ stakers: 1, blockTimeMs: 0 });
    await approveBountiesUpFront();
    const [staker] = addressesWithRole(devnet, 'staker');
    facilitator = await startInProcessFacilitator(devnet, { confirmations: CONFIRMATIONS, stuckAfterMs: 1_000 });
    const knex = facilitator.runtime.knex;
    const orphan = await stakeFor(staker, '0x00000000000000000000000000000000000d0001');
    const orphanHash = orphan.stakeRequestHash.toLowerCase();
    const declared = await mineUntil('the message declared and the request accepted', 30_000, async () => {
      const message = await knex('messages').where({ stake_request_hash: orphanHash, state: 'DECLARED' }).first();
      const request = await knex('stake_requests').where({ stake_request_hash: orphanHash, state: 'ACCEPTED' }).first();
      return message && request ? message : undefined;
    });
    const gateway = new Eip20Gateway(devnet.origin.client, pair().origin.ostEIP20GatewayAddress);
    expect(await gateway.outboxStatus(declared.message_hash)).to.equal(MessageStatus.Declared);

    await reorgFrom(devnet.origin, orphan.blockNumber);
    expect(await gateway.outboxStatus(declared.message_hash), 'declaration orphaned').to.equal(MessageStatus.Undeclared);
    // The chains go on and origin heights above the lost declaration get anchored on the auxiliary chain.
    mineContinuously();
    miners.push(startMiner(devnet.auxiliary, 100));
    const request = await until('the lost declaration recorded', 30_000, async () => {
      await devnet.relay.anchorOnce();
      const row = await knex('stake_requests').where({ stake_request_hash: orphanHash }).first();
      return row?.state === 'ORPHANED' ? row : undefined;
    });
    expect(request.reason).to.match(/reorganised away/);
    const message = await knex('messages').where({ stake_request_hash: orphanHash }).first();
    expect([message.state, message.source_status, message.declaration_height]).to.deep.equal(['ABANDONED', 0, null]);
    expect(message.reason).to.match(/reorganised away/);
    // Settled: more anchors change nothing, and no transaction was sent on the auxiliary chain for it.
    const warningsAt = facilitator.logLines(/declaration was reorganised away|not Declared in the outbox/).length;
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 500));
      await devnet.relay.anchorOnce();
    }
    expect(await knex('transactions').whereIn('purpose', ['proveGateway', 'confirmStakeIntent']).select('purpose', 'subject'), 'auxiliary transactions').to.deep.equal([]);
    expect(facilitator.logLines(/declaration was reorganised away|not Declared in the outbox/).length, 'repeated warnings').to.equal(warningsAt);
  });

  it('(e) an acceptance reorganised away while its request stands is sent again with the same hash lock, and the stake is minted', async () => {
    devnet = await startTestDevnet({ stakers: 1, blockTimeMs: 0 });
    await approveBountiesUpFront();
    const [staker] = addressesWithRole(devnet, 'staker');
    facilitator = await startInProcessFacilitator(devnet, { confirmations: CONFIRMATIONS, stuckAfterMs: 1_000 });
    const knex = facilitator.runtime.knex;
    const stake = await stakeFor(staker, '0x00000000000000000000000000000000000e0001');
    const hash = stake.stakeRequestHash.toLowerCase();
    const declared = await mineUntil('the message declared', 30_000, async () =>
      knex('messages').where({ stake_request_hash: hash, state: 'DECLARED' }).first(),
    );
    // Only the acceptance's block and later ones are replaced: the request stays on the chain.
    await reorgFrom(devnet.origin, BigInt(declared.declaration_height));
    expect(await devnet.origin.client.getReceipt(stake.transactionHash), 'the request stays').to.not.equal(null);
    expect(await composer().stakeRequestExists(hash), 'pending again in the composer').to.equal(true);

    // The facilitator's part: the lost declaration is noticed (at the first proof) and the accept queued again.
    mineContinuously();
    miners.push(startMiner(devnet.auxiliary, 100));
    const anchors = setInterval(() => void devnet.relay.anchorOnce().catch(() => undefined), 300);
    try {
      await until('the acceptance reopened', 20_000, async () => facilitator!.logLines(/state ACCEPTING again/).length > 0);
      await until(`accept attempt #1 queued`, 10_000, async () => (await acceptRows(knex, hash)).length === 2);
      // The engine's part: the attempt is mined although the reorg took the worker's previous nonce back
      // (see (b) with the approval: the engine must fill or resync the nonce gap a reorg leaves).
      await until('accept attempt #1 mined (the engine must not leave the nonce gap of the orphaned accept)', 20_000, async () =>
        (await acceptRows(knex, hash))[1]?.status === 'mined',
      );
      await until('the stake minted', 60_000, async () => (await devnet.auxiliary.client.getBalance('0x00000000000000000000000000000000000e0001')) > 0n);
    } finally {
      clearInterval(anchors);
    }
    const message = await until('the message completed', 30_000, async () => knex('messages').where({ stake_request_hash: hash, state: 'COMPLETED' }).first());
    expect([message.message_hash, message.hash_lock], 'the same message and hash lock').to.deep.equal([declared.message_hash, declared.hash_lock]);
    expect(BigInt(message.declaration_height) > BigInt(declared.declaration_height), 'declared again, later').to.equal(true);
    const accepts = await acceptRows(knex, hash);
    expect(accepts.map((r) => [r.subject, r.status]), 'one more accept attempt').to.deep.equal([
      [hash, 'mined'],
      [`${hash}#1`, 'mined'],
    ]);
  });
});
