import { Command } from 'commander';
import { parseChainId, parsePositiveInteger } from './option-parsers';
import { isAlive, isRunning, listRunFiles, processIdentity, readRunFile, removeRunFile, type RunFile } from './run-files';

/** The run file of the instance to act on: the given aux chain, or the only one running. */
export function targetRun(auxChainId: number | undefined): RunFile {
  if (auxChainId !== undefined) {
    const run = readRunFile(auxChainId);
    if (!run) throw new Error(`no facilitator is running for auxiliary chain ${auxChainId} (no run file)`);
    return run;
  }
  const runs = listRunFiles();
  if (runs.length === 0) throw new Error('no facilitator is running (no run files): start one with `facilitator start`');
  if (runs.length > 1) throw new Error(`several facilitators have run files (aux chains ${runs.map((r) => r.auxChainId).join(', ')}): pass --aux-chain-id`);
  return runs[0];
}

async function runStop(options: { auxChainId?: number; timeout: number }): Promise<void> {
  const run = targetRun(options.auxChainId);
  if (!isAlive(run.pid)) {
    removeRunFile(run.auxChainId, run.pid);
    throw new Error(`the facilitator for auxiliary chain ${run.auxChainId} (pid ${run.pid}) is not running; removed its stale run file`);
  }
  // The pid may have been reused by another process since the run file was written: signal only
  // the process that wrote it (same start time and command line).
  if (!isRunning(run)) {
    const now = processIdentity(run.pid);
    throw new Error(
      `pid ${run.pid} is not the facilitator that wrote the run file for auxiliary chain ${run.auxChainId} (it is \`${now?.cmdline.slice(0, 80) ?? 'another process'}\`${run.identity ? '' : '; the run file records no process identity'}): nothing signalled; if that facilitator is gone, delete the run file`,
    );
  }
  process.kill(run.pid, 'SIGTERM');
  const deadline = Date.now() + options.timeout;
  while (isAlive(run.pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${run.pid} did not exit within ${options.timeout} ms (it may still be finishing sends): check again, or kill it`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.stdout.write(`stopped the facilitator for auxiliary chain ${run.auxChainId} (pid ${run.pid})\n`);
}

export function stopCommand(): Command {
  return new Command('stop')
    .description('stop the running facilitator of an auxiliary chain (SIGTERM: it finishes sends under way, then exits)')
    .option('--aux-chain-id <id>', 'which instance (default: the only one running)', parseChainId)
    .option('--timeout <ms>', 'wait this long for it to exit', parsePositiveInteger, 60_000)
    .addHelpText('after', '\nExamples:\n  $ facilitator stop\n  $ facilitator stop --aux-chain-id 1405')
    .action(async (options: { auxChainId?: number; timeout: number }) => runStop(options));
}
