/**
 * What every bench shares: progress lines on stderr, one JSON line on stdout, targets judged in the
 * output (a missed target never fails the process: benches report, tests judge).
 */

/** A figure a bench is judged by, with the bound it is judged against and whether it is met. */
export type Target =
  | { value: number | null; max: number; met: boolean }
  | { value: number | null; min: number; met: boolean }
  | { value: boolean; expected: boolean; met: boolean };

export type Targets = Record<string, Target>;

export interface BenchOutput {
  bench: string;
  targets: Targets;
}

export function atMost(value: number | null, max: number): Target {
  return { value, max, met: value !== null && Number.isFinite(value) && value <= max };
}

export function atLeast(value: number | null, min: number): Target {
  return { value, min, met: value !== null && Number.isFinite(value) && value >= min };
}

export function expectTrue(value: boolean): Target {
  return { value, expected: true, met: value };
}

export type BenchLog = (line: string) => void;

export function benchLog(name: string): BenchLog {
  return (line) => process.stderr.write(`[bench:${name}] ${line}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A number from the environment (benches are tuned with BENCH_* variables), or the default. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name}=${raw} is not a number`);
  return value;
}

/**
 * Polls `done` every `pollMs` until it returns true; false once `deadlineMs` (a Date.now() instant)
 * has passed. `onTick` runs before each check (e.g. to scan new logs).
 */
export async function pollUntil(done: () => boolean, deadlineMs: number, pollMs: number, onTick?: () => Promise<void>): Promise<boolean> {
  for (;;) {
    if (onTick) await onTick();
    if (done()) return true;
    if (Date.now() > deadlineMs) return false;
    await sleep(pollMs);
  }
}

export function printResult(result: object): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** `tsx bench/<name>.ts`: runs the bench, prints its JSON line, exits 1 only when the bench itself broke. */
export function runAsMain(mod: NodeJS.Module, name: string, measure: () => Promise<object>): void {
  if (require.main !== mod) return;
  measure()
    .then(printResult)
    .catch((error: unknown) => {
      process.stderr.write(`bench/${name} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
}
