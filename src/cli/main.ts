import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminCommand } from './admin';
import { demoCommand } from './demo';
import { devCommand } from './dev';
import { indexerCommand } from './indexer';
import { initCommand } from './init';
import { listCommand } from './list';
import { startCommand } from './start';
import { statusCommand } from './status';
import { stopCommand } from './stop';
import { subgraphCommand } from './subgraph';

function packageVersion(): string {
  // Two levels up from src/cli (tsx) or dist/src/cli (compiled): the package root is found either way.
  for (const up of ['../..', '../../..']) {
    try {
      return (JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // try the next candidate
    }
  }
  return 'unknown';
}

export function buildProgram(): Command {
  const program = new Command('facilitator')
    .description('Mosaic facilitator: moves value tokens from origin to an auxiliary chain through Mosaic gateways, earning rewards')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions();
  program.addCommand(initCommand());
  program.addCommand(startCommand());
  program.addCommand(stopCommand());
  program.addCommand(listCommand());
  program.addCommand(statusCommand());
  program.addCommand(subgraphCommand());
  program.addCommand(indexerCommand());
  program.addCommand(devCommand());
  program.addCommand(demoCommand());
  program.addCommand(adminCommand());
  return program;
}

/** Entry point of bin/facilitator.js: errors end with one clear line and exit code 1. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`facilitator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
