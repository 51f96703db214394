import { createWriteStream, readFileSync } from 'node:fs';
import type { ChainClient } from '../src/chain/chain-client';
import { startDevnet, type Devnet } from '../src/devnet/devnet';
import { requestStakeOnDevnet } from '../src/devnet/devnet-stake';
import { contractInterface } from '../src/mosaic/contracts';
import { prepareFacilitatorHome, startFacilitatorProcess } from '../test/helpers/facilitator-process';
import { measureFloor } from './floor';
import { median } from './stats';

export interface LatencyBenchResult {
  bench: 'latency';
  single: { runs: number; medianMs: number };
  concurrent50: { medianMs: number; p90Ms: number; wallMs: number };
  /** Peak resident memory of the `facilitator start` process over the whole run (Linux VmHWM). */
  facilitatorPeakRssMb: number | null;
  floorMedianMs: number;
  ratioSingle: number;
  ratioConcurrent: number;
  anchorIntervalMs: number;
  blockTimeMs: number;
}

const log = (line: string) => process.stderr.write(`[bench:latency] ${line}\n`);
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

/** Peak resident set of a process in MiB, from /proc (null where there is no /proc). */
function peakRssMb(pid: number | undefined): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** Beneficiaries minted so far on the cogateway (from MintProgressed logs), with when we saw them. */
async function mintedBeneficiaries(client: ChainClient, coGateway: string, fromBlock: bigint): Promise<Set<string>> {
  const iface = contractInterface('EIP20CoGateway');
  const logs = await client.getLogs({ fromBlock, toBlock: await client.blockNumber(), address: coGateway, topics: [iface.eventTopic('MintProgressed')] });
  return new Set(iface.decodeLogs(logs).map((e) => String(e.args._beneficiary).toLowerCase()));
}

/** Requests from `stakers` at once; per request: StakeRequested receipt → MintProgressed seen on-chain. */
async function run(devnet: Devnet, stakers: string[], tag: number): Promise<{ latencies: number[]; wallMs: number }> {
  const pair = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
  const fromBlock = await devnet.auxiliary.client.blockNumber();
  const started = performance.now();
  const requested = new Map<string, number>();
  await Promise.all(
    stakers.map(async (staker, i) => {
      const beneficiary = `0x${(tag * 1000 + i + 1).toString(16).padStart(40, '0')}`;
      await requestStakeOnDevnet(devnet, staker, beneficiary);
      requested.set(beneficiary, performance.now());
    }),
  );
  const latencies = new Map<string, number>();
  const deadline = Date.now() + 300_000;
  while (latencies.size < stakers.length) {
    if (Date.now() > deadline) throw new Error(`only ${latencies.size} of ${stakers.length} requests minted within 5 minutes`);
    const minted = await mintedBeneficiaries(devnet.auxiliary.client, pair.auxiliary.ostEIP20CogatewayAddress, fromBlock);
    const now = performance.now();
    for (const [beneficiary, at] of requested) if (minted.has(beneficiary) && !latencies.has(beneficiary)) latencies.set(beneficiary, now - at);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { latencies: [...latencies.values()], wallMs: performance.now() - started };
}

/**
 * The facilitator's end-to-end latency for 1 and for 50 concurrent requests, as ratios to the same-run
 * floor. The facilitator runs as `facilitator start` in its own process, as operators run it; the
 * devnet stays in this one (BENCH_LOG=<file> keeps the facilitator's JSON log lines).
 */
export async function measureLatency(): Promise<LatencyBenchResult> {
  log('floor (the flow sent directly)');
  const floor = await measureFloor(Number(process.env.BENCH_FLOOR_RUNS ?? 5));
  const anchorIntervalMs = 500;
  const devnet = await startDevnet({ originPort: 0, auxiliaryPort: 0, stakers: 55, anchorIntervalMs });
  const home = await prepareFacilitatorHome(devnet);
  const logFile = process.env.BENCH_LOG ? createWriteStream(process.env.BENCH_LOG) : undefined;
  try {
    const facilitator = await startFacilitatorProcess({ ...home, env: { ...home.env, LOG_LEVEL: logFile ? 'debug' : 'warn' } });
    if (logFile) facilitator.child.stderr.pipe(logFile);
    try {
      const stakers = devnet.info.accounts.filter((a) => a.role === 'staker').map((a) => a.address);
      log('single requests');
      const single: number[] = [];
      const singleRuns = Number(process.env.BENCH_SINGLE_RUNS ?? 5);
      for (let i = 0; i < singleRuns; i++) single.push(...(await run(devnet, [stakers[i]], i + 1)).latencies);
      log('50 concurrent requests');
      const concurrent = await run(devnet, stakers.slice(5, 55), 100);
      const singleMedian = median(single);
      const concurrentMedian = median(concurrent.latencies);
      return {
        bench: 'latency',
        single: { runs: single.length, medianMs: singleMedian },
        concurrent50: { medianMs: concurrentMedian, p90Ms: percentile(concurrent.latencies, 0.9), wallMs: concurrent.wallMs },
        facilitatorPeakRssMb: peakRssMb(facilitator.child.pid),
        floorMedianMs: floor.medianMs,
        ratioSingle: singleMedian / floor.medianMs,
        ratioConcurrent: concurrentMedian / floor.medianMs,
        anchorIntervalMs,
        blockTimeMs: devnet.info.blockTimeMs,
      };
    } finally {
      const code = await facilitator.stop();
      if (code !== 0) log(`facilitator exited with ${code}`);
    }
  } finally {
    logFile?.end();
    await devnet.close();
    home.remove();
  }
}

if (require.main === module) {
  measureLatency()
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`bench/latency failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
}
