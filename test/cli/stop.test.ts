import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRunFile } from '../../src/cli/run-files';
import { runCli } from '../helpers/cli';

/** A harmless process standing in for a facilitator (or for whatever reused its pid). */
function sleeper(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

describe('facilitator stop', function () {
  this.timeout(60_000);
  let home: string;
  let runDir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'mosaic-stop-'));
    runDir = join(home, 'run');
    mkdirSync(runDir);
  });
  afterEach(() => {
    for (const child of children.splice(0)) if (alive(child)) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  const runFile = (auxChainId: number) => join(runDir, `facilitator-${auxChainId}.json`);
  const write = (auxChainId: number, content: unknown) =>
    writeFileSync(runFile(auxChainId), typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
  // The guard makes a regression fail loudly instead of signalling every process (pid -1) or init.
  const guard = `--require ${join(__dirname, '..', 'helpers', 'refuse-broadcast-kill.cjs')}`;
  const stop = (auxChainId: number) =>
    runCli(['stop', '--aux-chain-id', String(auxChainId), '--timeout', '5000'], { env: { MOSAIC_HOME: home, NODE_OPTIONS: guard }, timeoutMs: 30_000 });
  const base = { auxChainId: 1405, originChainId: 1337, facilitatorConfig: '/x', startedAt: new Date().toISOString() };

  it('stops the process that wrote the run file (same start time and command line)', async function () {
    const child = sleeper();
    children.push(child);
    // The run file as that process would write it: via writeRunFile in a process with the same MOSAIC_HOME.
    const saved = process.env.MOSAIC_HOME;
    process.env.MOSAIC_HOME = home;
    try {
      writeRunFile({ ...base, pid: child.pid! });
    } finally {
      if (saved === undefined) delete process.env.MOSAIC_HOME;
      else process.env.MOSAIC_HOME = saved;
    }
    const result = await stop(1405);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    expect(alive(child)).to.equal(false);
  });

  it('refuses to signal a process that reused the pid (other start time), leaving it running', async function () {
    const other = sleeper();
    children.push(other);
    write(1405, { ...base, pid: other.pid, identity: { startTicks: '1', cmdline: 'node bin/facilitator.js start' } });
    const result = await stop(1405);
    expect(result.code).to.equal(1);
    expect(result.stderr.trim().split('\n')).to.have.length(1);
    expect(result.stderr).to.contain(`pid ${other.pid} is not the facilitator that wrote the run file`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alive(other), 'the unrelated process was not signalled').to.equal(true);
  });

  it('refuses a run file without a process identity on a machine with /proc', async function () {
    const other = sleeper();
    children.push(other);
    write(1405, { ...base, pid: other.pid });
    const result = await stop(1405);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('records no process identity');
    expect(alive(other)).to.equal(true);
  });

  for (const pid of [1, 0, -1, -4242]) {
    it(`refuses pid ${pid} as a corrupt run file, signalling nothing`, async function () {
      write(1405, { ...base, pid });
      const result = await stop(1405);
      expect(result.code).to.equal(1);
      expect(result.stderr.trim()).to.equal(
        `facilitator: the run file ${runFile(1405)} is corrupt (pid must be a process id above 1, got ${pid}): if no facilitator runs for that chain (check with \`ps\`), delete it`,
      );
      expect(existsSync(runFile(1405)), 'kept for the operator to look at').to.equal(true);
    });
  }

  it('reports a run file without startedAt as corrupt, signalling nothing', async function () {
    const child = sleeper();
    children.push(child);
    const { startedAt: _startedAt, ...withoutStartedAt } = base;
    write(1405, { ...withoutStartedAt, pid: child.pid });
    const result = await stop(1405);
    expect(result.code).to.equal(1);
    expect(result.stderr.trim()).to.equal(
      `facilitator: the run file ${runFile(1405)} is corrupt (startedAt is missing or not a date): if no facilitator runs for that chain (check with \`ps\`), delete it`,
    );
    expect(alive(child), 'nothing signalled').to.equal(true);
  });

  it('reports a corrupt run file as corrupt, with its path, not as "no run file"', async function () {
    write(1405, '{"pid": 12');
    const result = await stop(1405);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(`the run file ${runFile(1405)} is corrupt (not JSON)`);
    expect(result.stderr).not.to.contain('no run file');
    expect(readFileSync(runFile(1405), 'utf8')).to.equal('{"pid": 12');
  });
});
