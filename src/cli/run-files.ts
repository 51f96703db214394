import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDirectory } from '../config/paths';

/** What a running `facilitator start` leaves in ~/.mosaic/run so stop/list/status can find it. */
export interface RunFile {
  pid: number;
  auxChainId: number;
  originChainId: number;
  facilitatorConfig: string;
  statusUrl?: string;
  startedAt: string;
}

function pathOf(auxChainId: number): string {
  return join(runDirectory(), `facilitator-${auxChainId}.json`);
}

export function writeRunFile(run: RunFile): void {
  mkdirSync(runDirectory(), { recursive: true });
  writeFileSync(pathOf(run.auxChainId), `${JSON.stringify(run, null, 2)}\n`, { mode: 0o600 });
}

export function removeRunFile(auxChainId: number, pid: number): void {
  const run = readRunFile(auxChainId);
  if (run && run.pid === pid) rmSync(pathOf(auxChainId), { force: true });
}

export function readRunFile(auxChainId: number): RunFile | undefined {
  const path = pathOf(auxChainId);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunFile;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every run file, with whether its process still runs. */
export function listRunFiles(): Array<RunFile & { alive: boolean }> {
  if (!existsSync(runDirectory())) return [];
  const runs: Array<RunFile & { alive: boolean }> = [];
  for (const name of readdirSync(runDirectory())) {
    const match = /^facilitator-(\d+)\.json$/.exec(name);
    if (!match) continue;
    const run = readRunFile(Number(match[1]));
    if (run) runs.push({ ...run, alive: isAlive(run.pid) });
  }
  return runs.sort((a, b) => a.auxChainId - b.auxChainId);
}
