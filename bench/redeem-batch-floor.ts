import type { RpcReceipt } from '../src/chain/chain-client';
import type { AccountProof } from '../src/chain/proofs';
import type { RequestedRedeem } from '../src/devnet/demo-redeemer';
import type { Devnet } from '../src/devnet/devnet';
import { requestRedeemOnDevnet } from '../src/devnet/devnet-redeem';
import { devnetContracts, type DevnetContracts } from '../src/devnet/devnet-contracts';
import { scriptedRedeemAndUnstake } from '../src/devnet/scripted-redeem-and-unstake';
import { contractInterface } from '../src/mosaic/contracts';
import { generateHashLock } from '../src/mosaic/hashes';
import { confirmRedeemIntentCall, proveCoGatewayCall, proveCoGatewayOutbox } from '../src/mosaic/redeem-proofs';
import { distinctBlocks, maxBlock } from './batch-floor';
import { addressesOf, withFloorDevnet } from './bench-devnet';
import type { DevnetClocks } from './block-clock';
import { benchLog, envNumber, runAsMain, type Targets } from './harness';
import { mintForRedeems } from './requests';
import { roundMs } from './stats';

export interface RedeemBatchFloorResult {
  bench: 'redeemBatchFloor';
  requests: number;
  workers: number;
  /** Batches measured (each of `requests` fresh redeemers); the figures below are the median batch's. */
  runs: number;
  /** Block of the last RedeemRequested → block of the last UnstakeProgressed (the redeemers' own sends are not timed). */
  wallMs: number;
  samplesMs: number[];
  /** When the last transaction of each step was mined, from the start of the window (ms). */
  stepsDoneMs: Record<'accept' | 'anchor' | 'proveGateway' | 'confirm' | 'progressRedeem' | 'progressUnstake', number>;
  /** Distinct blocks each step's transactions landed in (1 = the whole step in one block). */
  stepBlocks: Record<'accept' | 'confirm' | 'progressRedeem' | 'progressUnstake', number>;
  transactions: { facilitation: number; redeemer: number };
  blockTimeMs: number;
  durationMs: number;
  /** A baseline: judged by nothing, the facilitator's 50-concurrent redeem wall is judged against it. */
  targets: Targets;
}

interface Declared {
  request: RequestedRedeem;
  worker: string;
  messageHash: string;
  hashLock: string;
  unlockSecret: string;
  accept: RpcReceipt;
}

const log = benchLog('redeemBatchFloor');

/** One redeemer wraps, approves and requests; its worker accepts (paying the bounty) as soon as the request is mined. */
async function requestAndAccept(devnet: Devnet, c: DevnetContracts, redeemer: string, worker: string, bounty: bigint): Promise<Declared> {
  const request = await requestRedeemOnDevnet(devnet, redeemer);
  const { unlockSecret, hashLock } = generateHashLock();
  const accept = await devnet.auxiliarySender(worker).send(c.redeemPool.acceptRedeemRequest({ ...request, hashLock }, bounty));
  const declared = contractInterface('EIP20CoGateway')
    .decodeLogs(accept.logs, c.coGateway.address)
    .find((e) => e.name === 'RedeemIntentDeclared');
  if (!declared) throw new Error(`acceptRedeemRequest ${accept.transactionHash} emitted no RedeemIntentDeclared`);
  return { request, worker, messageHash: String(declared.args._messageHash).toLowerCase(), hashLock, unlockSecret, accept };
}

/**
 * ONE anchor of the auxiliary head (≥ every declaration) on origin as the admin, ONE eth_getProof of all
 * cogateway outbox slots, ONE proveGateway on origin. The proof is read once the auxiliary chain has a
 * later block (anvil can answer eth_getProof at the head from the state of the block being built).
 */
async function anchorAndProve(devnet: Devnet, clocks: DevnetClocks, c: DevnetContracts, declared: Declared[], prover: string) {
  const admin = devnet.info.accounts.find((a) => a.role === 'admin');
  if (!admin) throw new Error('devnet has no admin account');
  const head = await devnet.auxiliary.client.getBlock('latest');
  const height = BigInt(head.number);
  const anchor = await devnet.originSender(admin.address).send(c.originAnchor.anchorStateRoot(height, head.stateRoot));
  await clocks.auxiliary.minedAt(height + 1n);
  const proof = await proveCoGatewayOutbox(devnet.auxiliary.client, c.coGateway, declared.map((d) => d.messageHash), height);
  const prove = await devnet.originSender(prover).send(proveCoGatewayCall(c.gateway, proof));
  return { anchor, prove, proof };
}

/** confirmRedeemIntent (origin), then progressRedeem (auxiliary) and progressUnstake (origin) together. */
async function confirmAndProgress(devnet: Devnet, c: DevnetContracts, d: Declared, proof: AccountProof, index: number) {
  const message = { ...d.request, messageHash: d.messageHash, hashLock: d.hashLock };
  const confirm = await devnet.originSender(d.worker).send(confirmRedeemIntentCall(c.gateway, message, proof, index));
  const [progressRedeem, progressUnstake] = await Promise.all([
    devnet.auxiliarySender(d.worker).send(c.coGateway.progressRedeem(d.messageHash, d.unlockSecret)),
    devnet.originSender(d.worker).send(c.gateway.progressUnstake(d.messageHash, d.unlockSecret)),
  ]);
  return { confirm, progressRedeem, progressUnstake };
}

/** Requests and accepts pipelined per redeem, then one proof, then per-message confirm and progress. */
async function runBatch(devnet: Devnet, clocks: DevnetClocks, c: DevnetContracts, redeemers: string[], workers: string[]) {
  const bounty = await c.coGateway.bounty();
  const declared = await Promise.all(redeemers.map((r, i) => requestAndAccept(devnet, c, r, workers[i % workers.length], bounty)));
  const proven = await anchorAndProve(devnet, clocks, c, declared, workers[0]);
  const progressed = await Promise.all(declared.map((d, i) => confirmAndProgress(devnet, c, d, proven.proof, i)));
  return { declared, ...proven, progressed };
}

async function timeline(clocks: DevnetClocks, run: Awaited<ReturnType<typeof runBatch>>) {
  const windowStart = await clocks.auxiliary.minedAt(run.declared.map((d) => d.request.blockNumber).reduce((a, b) => (a > b ? a : b)));
  const origin = async (receipts: RpcReceipt[]) => roundMs((await clocks.origin.minedAt(maxBlock(receipts))) - windowStart);
  const aux = async (receipts: RpcReceipt[]) => roundMs((await clocks.auxiliary.minedAt(maxBlock(receipts))) - windowStart);
  const stepsDoneMs = {
    accept: await aux(run.declared.map((d) => d.accept)),
    anchor: await origin([run.anchor]),
    proveGateway: await origin([run.prove]),
    confirm: await origin(run.progressed.map((p) => p.confirm)),
    progressRedeem: await aux(run.progressed.map((p) => p.progressRedeem)),
    progressUnstake: await origin(run.progressed.map((p) => p.progressUnstake)),
  };
  const stepBlocks = {
    accept: distinctBlocks(run.declared.map((d) => d.accept)),
    confirm: distinctBlocks(run.progressed.map((p) => p.confirm)),
    progressRedeem: distinctBlocks(run.progressed.map((p) => p.progressRedeem)),
    progressUnstake: distinctBlocks(run.progressed.map((p) => p.progressUnstake)),
  };
  return { wallMs: stepsDoneMs.progressUnstake, stepsDoneMs, stepBlocks };
}

/**
 * The redeem batch floor, built as the stake one (bench/batch-floor.ts): `requests` redeem requests (one per
 * redeemer) taken through the protocol with the fewest transactions, sent directly (no indexing, no
 * database): per redeem one acceptRedeemRequest, one confirmRedeemIntent, one progressRedeem, one
 * progressUnstake; for the whole batch ONE anchorStateRoot on origin (as the admin, anchor relay off) at
 * an auxiliary height ≥ every declaration, ONE eth_getProof and ONE proveGateway. Spread over `workers`
 * worker keys (10 by default, as the stake batch floor); the median of `runs` batches on one devnet.
 */
export async function measureRedeemBatchFloor(
  requests = envNumber('BENCH_BATCH_REQUESTS', 50),
  workerCount = envNumber('BENCH_BATCH_WORKERS', 10),
  runs = envNumber('BENCH_BATCH_RUNS', 3),
): Promise<RedeemBatchFloorResult> {
  const started = performance.now();
  return withFloorDevnet({ stakers: requests * runs + 2, workers: workerCount }, async (devnet, clocks) => {
    const redeemers = addressesOf(devnet, 'staker');
    const workers = addressesOf(devnet, 'worker');
    log(`stake & mint for the redeems, warm-up (one scripted redeem), then ${runs} batches of ${requests} redeems over ${workers.length} workers`);
    await mintForRedeems(devnet, redeemers[requests * runs + 1], workers[0], requests * runs + 1);
    await scriptedRedeemAndUnstake(devnet, { redeemer: redeemers[requests * runs], worker: workers[0] });
    const samples = [];
    for (let r = 0; r < runs; r++) {
      const run = await runBatch(devnet, clocks, devnetContracts(devnet), redeemers.slice(r * requests, (r + 1) * requests), workers);
      samples.push(await timeline(clocks, run));
    }
    const middle = [...samples].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(samples.length / 2)];
    return {
      bench: 'redeemBatchFloor',
      requests,
      workers: workers.length,
      runs,
      wallMs: middle.wallMs,
      samplesMs: samples.map((s) => s.wallMs),
      stepsDoneMs: middle.stepsDoneMs,
      stepBlocks: middle.stepBlocks,
      transactions: { facilitation: 4 * requests + 2, redeemer: 3 * requests },
      blockTimeMs: devnet.info.blockTimeMs,
      durationMs: Math.round(performance.now() - started),
      targets: {},
    };
  });
}

runAsMain(module, 'redeemBatchFloor', () => measureRedeemBatchFloor());
