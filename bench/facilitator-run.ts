import type { DatabaseTarget } from '../src/db/database-target';
import { createWriteStream, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Devnet } from '../src/devnet/devnet';
import { prepareFacilitatorHome, type RunningFacilitator } from '../test/helpers/facilitator-process';
import { fromSource, launchFacilitator } from './facilitator-launch';
import type { BenchLog } from './harness';
import { countsBetween, startRpcCountProxy, type RpcCountProxy } from './rpc-count-proxy';

/** Peak resident set of a process in MiB (Linux VmHWM; null where there is no /proc). */
export function peakRssMb(pid: number | undefined): number | null {
  return procStatusMb(pid, 'VmHWM');
}

export function rssMb(pid: number | undefined): number | null {
  return procStatusMb(pid, 'VmRSS');
}

function procStatusMb(pid: number | undefined, field: string): number | null {
  if (pid === undefined) return null;
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc/<pid>/stat; null elsewhere). */
export function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15 (clock ticks, 100 per second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Sum of a Prometheus counter over all its label sets, from a /metrics text. */
export function counterTotal(metrics: string, name: string): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = new RegExp(`^${name}(\\{[^}]*\\})?\\s+(\\S+)`).exec(line);
    if (match) total += Number(match[2]);
  }
  return total;
}

export interface WarningSummary {
  warnings: number;
  errors: number;
  /** The most frequent messages of level ≥ warn, with their counts and the fields of their first occurrence. */
  top: Array<{ msg: string; count: number; first: string }>;
}

const LOG_NOISE = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/** Counts the facilitator's JSON log lines of level ≥ warn (pino levels: 40 warn, 50 error, 60 fatal). */
export function summarizeWarnings(logs: string): WarningSummary {
  const seen = new Map<string, { count: number; first: string }>();
  let warnings = 0;
  let errors = 0;
  for (const line of logs.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const level = Number(entry.level ?? 0);
    if (level < 40) continue;
    if (level >= 50) errors++;
    else warnings++;
    const msg = String(entry.msg ?? '').slice(0, 160);
    const known = seen.get(msg);
    if (known) known.count++;
    else seen.set(msg, { count: 1, first: JSON.stringify(Object.fromEntries(Object.entries(entry).filter(([k]) => !LOG_NOISE.has(k)))).slice(0, 400) });
  }
  const top = [...seen.entries()].sort((a, b) => b[1].count - a[1].count).slice(0, 5).map(([msg, v]) => ({ msg, ...v }));
  return { warnings, errors, top };
}

export interface BenchFacilitator {
  process: RunningFacilitator;
  /** How it runs: compiled (as bin/facilitator.js) or from source under tsx. */
  build: 'compiled' | 'source (tsx)';
  /** Resident memory right after it reported running. */
  startRssMb: number | null;
  metricsUrl: string;
  databasePath: string;
  /** facilitator_transactions_replaced_total summed over both chains. */
  replacements(): Promise<number>;
  peakRssMb(): number | null;
  rssMb(): number | null;
  /** CPU time the facilitator process has used so far (ms). */
  cpuMs(): number | null;
  /** SQLite file and its -wal: now while it runs, after stop the final size (the WAL is checkpointed at close). */
  databaseBytes(): { main: number; wal: number; total: number };
  warnings(): WarningSummary;
  /** The facilitator's JSON-RPC calls so far per chain (empty unless started with countRpc). */
  rpcSnapshot(): Map<string, number>[];
  /** SIGTERM, wait for exit, remove its home; returns the exit code. */
  stop(): Promise<number | null>;
}

/**
 * BENCH_CPU_PROF=<dir>: a preload (node 20 refuses --cpu-prof in NODE_OPTIONS) that profiles the
 * facilitator with the inspector from its start and writes <dir>/facilitator-<pid>.cpuprofile when it exits.
 */
function profilePreload(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'profile-preload.cjs');
  writeFileSync(
    path,
    [
      "const { Session } = require('node:inspector');",
      "const { writeFileSync } = require('node:fs');",
      'const session = new Session();',
      'session.connect();',
      "session.post('Profiler.enable');",
      "session.post('Profiler.setSamplingInterval', { interval: 1000 });",
      "session.post('Profiler.start');",
      "process.on('exit', () => session.post('Profiler.stop', (error, result) => {",
      `  if (!error) writeFileSync(${JSON.stringify(dir)} + '/facilitator-' + process.pid + '.cpuprofile', JSON.stringify(result.profile));`,
      '}));',
    ].join('\n'),
  );
  return path;
}

/** With countRpc, the facilitator reaches each chain through a counting proxy (one more loopback hop per call). */
async function rpcProxies(devnet: Devnet, countRpc: boolean): Promise<{ seen: Devnet; proxies: RpcCountProxy[] }> {
  if (!countRpc) return { seen: devnet, proxies: [] };
  const origin = await startRpcCountProxy(devnet.info.origin.rpcUrl);
  const auxiliary = await startRpcCountProxy(devnet.info.auxiliary.rpcUrl);
  const info = { ...devnet.info, origin: { ...devnet.info.origin, rpcUrl: origin.url }, auxiliary: { ...devnet.info.auxiliary, rpcUrl: auxiliary.url } };
  return { seen: { ...devnet, info }, proxies: [origin, auxiliary] };
}

/**
 * `facilitator start` in its own process against the devnet, as operators run it (LOG_LEVEL warn;
 * BENCH_LOG=<file> keeps its debug log lines there instead; BENCH_COUNT_RPC=1 counts its RPC calls;
 * BENCH_CPU_PROF=<dir> profiles it); nodeOptions are node flags for its process (NODE_OPTIONS).
 */
export async function startBenchFacilitator(
  devnet: Devnet,
  log: BenchLog,
  countRpc = process.env.BENCH_COUNT_RPC === '1',
  database?: Extract<DatabaseTarget, { client: 'postgres' }>,
  nodeOptions: string[] = [],
): Promise<BenchFacilitator> {
  const { seen, proxies } = await rpcProxies(devnet, countRpc);
  const home = await prepareFacilitatorHome(seen, { database });
  const logFile = process.env.BENCH_LOG ? createWriteStream(process.env.BENCH_LOG) : undefined;
  const cleanUp = async () => {
    logFile?.end();
    home.remove();
    await Promise.all(proxies.map((p) => p.close()));
  };
  let running: RunningFacilitator;
  try {
    const options = [...nodeOptions, ...(process.env.BENCH_CPU_PROF ? [`--require ${profilePreload(process.env.BENCH_CPU_PROF)}`] : [])];
    const node = options.length > 0 ? { NODE_OPTIONS: options.join(' ') } : {};
    running = await launchFacilitator(home, { ...home.env, ...node, LOG_LEVEL: logFile ? 'debug' : 'warn' }, log);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  if (logFile) running.child.stderr.pipe(logFile);
  const metricsUrl = /metrics: (\S+)/.exec(running.stdout())?.[1];
  const pid = running.child.pid;
  const databaseBytes = () => {
    const main = fileBytes(home.databasePath);
    const wal = fileBytes(`${home.databasePath}-wal`);
    return { main, wal, total: main + wal };
  };
  let finalBytes: ReturnType<typeof databaseBytes> | undefined;
  return {
    process: running,
    build: fromSource() ? 'source (tsx)' : 'compiled',
    startRssMb: rssMb(pid),
    metricsUrl: metricsUrl ?? '',
    databasePath: home.databasePath,
    replacements: async () => {
      if (!metricsUrl) throw new Error(`the facilitator printed no metrics URL: ${running.stdout()}`);
      const response = await fetch(metricsUrl);
      return counterTotal(await response.text(), 'facilitator_transactions_replaced_total');
    },
    peakRssMb: () => peakRssMb(pid),
    rssMb: () => rssMb(pid),
    cpuMs: () => cpuMs(pid),
    databaseBytes: () => finalBytes ?? databaseBytes(),
    warnings: () => summarizeWarnings(running.logs()),
    rpcSnapshot: () => proxies.map((p) => p.counts()),
    stop: async () => {
      try {
        return await running.stop();
      } finally {
        finalBytes = databaseBytes();
        await cleanUp();
      }
    },
  };
}

/** The facilitator's RPC calls between two snapshots: total, per request, and per method (null when not counted). */
export function rpcUsage(before: Map<string, number>[], after: Map<string, number>[], requests: number) {
  if (after.length === 0) return null;
  const byMethod = countsBetween(before, after, ['origin', 'auxiliary']);
  const total = Object.values(byMethod).reduce((a, b) => a + b, 0);
  return { total, perRequest: Math.round((total / Math.max(1, requests)) * 10) / 10, byMethod };
}
