import { expect } from 'chai';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main';
import { runCli } from '../helpers/cli';

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

describe('--help', function () {
  it('renders for every command and subcommand (no bigint default breaks it)', function () {
    for (const command of allCommands(buildProgram())) {
      expect(() => command.helpInformation(), command.name()).not.to.throw();
    }
  });

  it('facilitator dev stake --help shows the defaults and exits 0', async function () {
    const result = await runCli(['dev', 'stake', '--help'], { timeoutMs: 30_000 });
    expect(result.stderr).not.to.contain('BigInt');
    expect(result.code).to.equal(0);
    expect(result.stdout).to.contain('--amount <OST>').and.to.contain('(default: 100)');
    expect(result.stdout).to.contain('(default: 1000000000)');
  });
});
