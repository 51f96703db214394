import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runDirectory } from '../config/paths';
import { writeSecretFile } from '../config/secret-file';
import { processIdentity, type ProcessIdentity } from '../util/process-identity';

export { processIdentity, type ProcessIdentity };

/** What a running `facilitator start` leaves in ~/.mosaic/run so stop/list/status can find it. */
export interface RunFile {
  pid: number;
  auxChainId: number;
  originChainId: number;
  facilitatorConfig: string;
  statusUrl?: string;
  startedAt: string;
  /** Absent where /proc is not available. */
  identity?: ProcessIdentity;
  /** Active (sends), or standing by for another instance's lease (PostgreSQL); absent: active. */
  role?: 'active' | 'standby';
}

/** A run file that cannot be read as one: reported as such, with its path and what to do. */
export class CorruptRunFileError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`the run file ${path} is corrupt (${reason}): if no facilitator runs for that chain (check with \`ps\`), delete it`);
    this.name = 'CorruptRunFileError';
  }
}

function pathOf(auxChainId: number): string {
  return join(runDirectory(), `facilitator-${auxChainId}.json`);
}

/** A standby instance's own file: the chain's file names the active one (stop, status use it). */
function standbyPathOf(auxChainId: number, pid: number): string {
  return join(runDirectory(), `facilitator-${auxChainId}-standby-${pid}.json`);
}

export function writeRunFile(run: Omit<RunFile, 'identity'>): void {
  const identity = processIdentity(run.pid);
  const path = run.role === 'standby' ? standbyPathOf(run.auxChainId, run.pid) : pathOf(run.auxChainId);
  writeSecretFile(path, `${JSON.stringify({ ...run, ...(identity ? { identity } : {}) }, null, 2)}\n`);
  if (run.role !== 'standby') rmSync(standbyPathOf(run.auxChainId, run.pid), { force: true });
}

export function removeRunFile(auxChainId: number, pid: number): void {
  rmSync(standbyPathOf(auxChainId, pid), { force: true });
  let run: RunFile | undefined;
  try {
    run = readRunFile(auxChainId);
  } catch {
    return; // corrupt: not ours to remove silently
  }
  if (run && run.pid === pid) rmSync(pathOf(auxChainId), { force: true });
}

const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);
const isChainId = (value: unknown): value is number => isInteger(value) && value > 0;
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** The first field stop/list/status would misread, with what is wrong with it; undefined when none is. */
function runFileProblem(run: Partial<RunFile>): string | undefined {
  if (!isInteger(run.pid) || run.pid <= 1) return `pid must be a process id above 1, got ${JSON.stringify(run.pid)}`;
  if (!isChainId(run.auxChainId)) return 'auxChainId is missing or not a chain id';
  if (!isChainId(run.originChainId)) return 'originChainId is missing or not a chain id';
  if (!isNonEmptyString(run.facilitatorConfig)) return 'facilitatorConfig is missing or not a path';
  if (!isNonEmptyString(run.startedAt) || Number.isNaN(Date.parse(run.startedAt))) return 'startedAt is missing or not a date';
  if (run.statusUrl !== undefined && !isNonEmptyString(run.statusUrl)) return 'statusUrl must be a URL';
  if (run.role !== undefined && run.role !== 'active' && run.role !== 'standby') return 'role must be active or standby';
  if (run.identity !== undefined && (typeof run.identity?.startTicks !== 'string' || typeof run.identity?.cmdline !== 'string')) {
    return 'identity must hold startTicks and cmdline strings';
  }
  return undefined;
}

/** Checks every field stop/list/status rely on; names the first one that is wrong. */
function parseRunFile(text: string, path: string): RunFile {
  let plain: unknown;
  try {
    plain = JSON.parse(text);
  } catch {
    throw new CorruptRunFileError(path, 'not JSON');
  }
  const run = plain as Partial<RunFile> | null;
  if (!run || typeof run !== 'object' || Array.isArray(run)) throw new CorruptRunFileError(path, 'not a JSON object');
  const problem = runFileProblem(run);
  if (problem !== undefined) throw new CorruptRunFileError(path, problem);
  return run as RunFile;
}

/** The run file of an aux chain, undefined when there is none; throws CorruptRunFileError when unreadable. */
export function readRunFile(auxChainId: number): RunFile | undefined {
  return readRunFileAt(pathOf(auxChainId));
}

function readRunFileAt(path: string): RunFile | undefined {
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CorruptRunFileError(path, `unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseRunFile(text, path);
}

export function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the run file's process is still the facilitator that wrote it: alive, and (where /proc
 * exists) with the start time and command line recorded. A reused pid is another process.
 */
export function isRunning(run: RunFile): boolean {
  if (!isAlive(run.pid)) return false;
  const now = processIdentity(run.pid);
  if (!now) return run.identity === undefined; // no /proc: the pid is all there is
  return run.identity !== undefined && run.identity.startTicks === now.startTicks && run.identity.cmdline === now.cmdline;
}

export type ListedRun = RunFile & { alive: boolean };

/**
 * Every run file, with whether its facilitator still runs (see isRunning), and the corrupt ones apart:
 * `list` shows the readable ones and reports each corrupt one.
 */
export function scanRunFiles(): { runs: ListedRun[]; corrupt: CorruptRunFileError[] } {
  if (!existsSync(runDirectory())) return { runs: [], corrupt: [] };
  const runs: ListedRun[] = [];
  const corrupt: CorruptRunFileError[] = [];
  for (const name of readdirSync(runDirectory())) {
    if (!/^facilitator-\d+(-standby-\d+)?\.json$/.test(name)) continue;
    try {
      const run = readRunFileAt(join(runDirectory(), name));
      if (run) runs.push({ ...run, alive: isRunning(run) });
    } catch (error) {
      if (!(error instanceof CorruptRunFileError)) throw error;
      corrupt.push(error);
    }
  }
  runs.sort((a, b) => a.auxChainId - b.auxChainId || (a.role === 'standby' ? 1 : 0) - (b.role === 'standby' ? 1 : 0));
  return { runs, corrupt: corrupt.sort((a, b) => a.path.localeCompare(b.path)) };
}

/** Every run file (see scanRunFiles); throws the first CorruptRunFileError, for commands that act on one. */
export function listRunFiles(): ListedRun[] {
  const { runs, corrupt } = scanRunFiles();
  if (corrupt[0]) throw corrupt[0];
  return runs;
}
