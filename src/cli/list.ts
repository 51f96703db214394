import { Command } from 'commander';
import { scanRunFiles, type ListedRun } from './run-files';

export function listCommand(): Command {
  return new Command('list')
    .description('list facilitators started on this machine (from ~/.mosaic/run)')
    .option('--json', 'one JSON object per instance', false)
    .addHelpText('after', '\nExamples:\n  $ facilitator list\n  $ facilitator list --json')
    .action((options: { json: boolean }) => {
      const { runs, corrupt } = scanRunFiles();
      if (runs.length > 0 || corrupt.length === 0) printRuns(runs, options.json);
      // The readable ones are listed; each corrupt one is one line naming its path, and the exit is non-zero.
      for (const error of corrupt) process.stderr.write(`facilitator: ${error.message}\n`);
      if (corrupt.length > 0) process.exitCode = 1;
    });
}

function printRuns(runs: ListedRun[], json: boolean): void {
  if (json) {
    for (const run of runs) process.stdout.write(`${JSON.stringify(run)}\n`);
    return;
  }
  if (runs.length === 0) {
    process.stdout.write('no facilitator is running\n');
    return;
  }
  process.stdout.write('aux chain  pid      state    role     started                   status API\n');
  for (const run of runs) {
    process.stdout.write(
      `${String(run.auxChainId).padEnd(10)} ${String(run.pid).padEnd(8)} ${(run.alive ? 'running' : 'stale').padEnd(8)} ${(run.role ?? 'active').padEnd(8)} ${run.startedAt.padEnd(25)} ${run.statusUrl ?? '-'}\n`,
    );
  }
}
