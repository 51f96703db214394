import { Command } from 'commander';
import { listRunFiles } from './run-files';

export function listCommand(): Command {
  return new Command('list')
    .description('list facilitators started on this machine (from ~/.mosaic/run)')
    .option('--json', 'one JSON object per instance', false)
    .addHelpText('after', '\nExamples:\n  $ facilitator list\n  $ facilitator list --json')
    .action((options: { json: boolean }) => {
      const runs = listRunFiles();
      if (options.json) {
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
    });
}
