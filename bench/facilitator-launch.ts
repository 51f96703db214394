import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../src/util/package-root';
import { waitForExit, waitForOutput } from '../test/helpers/cli';
import { startFacilitatorProcess, type FacilitatorHome, type RunningFacilitator } from '../test/helpers/facilitator-process';
import type { BenchLog } from './harness';

let compiling: Promise<string> | undefined;

/**
 * Operators run the compiled CLI (bin/facilitator.js → dist): the benches run it compiled too, built once
 * per bench process into .tmp/bench-dist (dist/ itself is left alone). From source under tsx it holds
 * ~20-30 MB more (measured: idle 161 vs 140 MB, after 50 requests 271 vs 239 MB).
 * BENCH_FACILITATOR_FROM_SOURCE=1 runs it from source, as the test helper does.
 */
export function facilitatorBuild(log: BenchLog): Promise<string> {
  compiling ??= (async () => {
    const root = packageRoot();
    const outDir = join(root, '.tmp', 'bench-dist');
    log('compiling the facilitator (tsc → .tmp/bench-dist)');
    try {
      await promisify(execFile)(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', outDir], { cwd: root });
    } catch (error) {
      // Type errors still emit JavaScript (noEmitOnError is off): run what was emitted, and say so.
      const output = (error as { stdout?: string }).stdout ?? String(error);
      log(`tsc reported errors, running the JavaScript it emitted anyway: ${output.split('\n').slice(0, 3).join(' | ')}`);
    }
    const cli = join(outDir, 'src', 'cli', 'run.js');
    if (!existsSync(cli)) throw new Error(`compiling the facilitator produced no ${cli}`);
    return cli;
  })();
  return compiling;
}

export const fromSource = () => process.env.BENCH_FACILITATOR_FROM_SOURCE === '1';

/** `facilitator start` as its own process (compiled unless BENCH_FACILITATOR_FROM_SOURCE=1), resolved once it reports running. */
export async function launchFacilitator(home: FacilitatorHome, env: NodeJS.ProcessEnv, log: BenchLog): Promise<RunningFacilitator> {
  if (fromSource()) return startFacilitatorProcess({ ...home, env });
  const cli = await facilitatorBuild(log);
  const child = spawn(process.execPath, [cli, 'start', '--facilitator-config', home.configPath], { cwd: packageRoot(), env: { ...process.env, ...env } });
  let logs = '';
  child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const stdout = await waitForOutput(child, /status API: \S+/, 120_000);
  return {
    child,
    logs: () => logs,
    stdout: () => stdout,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return waitForExit(child, 60_000);
    },
  };
}
