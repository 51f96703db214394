import { createWriteStream, readFileSync, statSync } from 'node:fs';
import type { Devnet } from '../src/devnet/devnet';
import { prepareFacilitatorHome, startFacilitatorProcess, type RunningFacilitator } from '../test/helpers/facilitator-process';

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
  /** The most frequent messages of level ≥ warn, with their counts. */
  top: Array<{ msg: string; count: number }>;
}

/** Counts the facilitator's JSON log lines of level ≥ warn (pino levels: 40 warn, 50 error, 60 fatal). */
export function summarizeWarnings(logs: string): WarningSummary {
  const counts = new Map<string, number>();
  let warnings = 0;
  let errors = 0;
  for (const line of logs.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { level?: number; msg?: string };
    try {
      entry = JSON.parse(line) as { level?: number; msg?: string };
    } catch {
      continue;
    }
    if ((entry.level ?? 0) < 40) continue;
    if ((entry.level ?? 0) >= 50) errors++;
    else warnings++;
    const msg = String(entry.msg ?? '').slice(0, 160);
    counts.set(msg, (counts.get(msg) ?? 0) + 1);
  }
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([msg, count]) => ({ msg, count }));
  return { warnings, errors, top };
}

export interface BenchFacilitator {
  process: RunningFacilitator;
  metricsUrl: string;
  databasePath: string;
  /** facilitator_transactions_replaced_total summed over both chains. */
  replacements(): Promise<number>;
  peakRssMb(): number | null;
  rssMb(): number | null;
  /** SQLite file and its -wal (read them after stop for the final size). */
  databaseBytes(): { main: number; wal: number; total: number };
  warnings(): WarningSummary;
  /** SIGTERM, wait for exit, remove its home; returns the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `facilitator start` in its own process against the devnet, as operators run it (LOG_LEVEL warn;
 * BENCH_LOG=<file> keeps its debug log lines there instead).
 */
export async function startBenchFacilitator(devnet: Devnet): Promise<BenchFacilitator> {
  const home = await prepareFacilitatorHome(devnet);
  const logFile = process.env.BENCH_LOG ? createWriteStream(process.env.BENCH_LOG) : undefined;
  let running: RunningFacilitator;
  try {
    running = await startFacilitatorProcess({ ...home, env: { ...home.env, LOG_LEVEL: logFile ? 'debug' : 'warn' } });
  } catch (error) {
    logFile?.end();
    home.remove();
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
    metricsUrl: metricsUrl ?? '',
    databasePath: home.databasePath,
    replacements: async () => {
      if (!metricsUrl) throw new Error(`the facilitator printed no metrics URL: ${running.stdout()}`);
      const response = await fetch(metricsUrl);
      return counterTotal(await response.text(), 'facilitator_transactions_replaced_total');
    },
    peakRssMb: () => peakRssMb(pid),
    rssMb: () => rssMb(pid),
    databaseBytes: () => finalBytes ?? databaseBytes(),
    warnings: () => summarizeWarnings(running.logs()),
    stop: async () => {
      try {
        return await running.stop();
      } finally {
        finalBytes = databaseBytes();
        logFile?.end();
        home.remove();
      }
    },
  };
}
