import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startDevChain } from '../../src/devnet/anvil-chain';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** A child process holding an anvil chain; resolves with the child and anvil's pid. */
async function holder(mode = 'wait') {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'hold-chain.ts'), mode], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(Number.parseInt(out, 10));
    });
    child.once('exit', () => reject(new Error('the holder exited before starting its chain')));
  });
  return { child, pid };
}

describe('anvil dev chains never outlive their owner', function () {
  this.timeout(30_000);

  it('answers on its port with the chain id asked for, and stops on close', async () => {
    const chain = await startDevChain({ chainId: 4321, port: 0, totalAccounts: 2 });
    expect(await chain.client.getChainId()).to.equal(4321);
    expect(await chain.client.getBalance(chain.accounts[1].address)).to.equal(10n ** 27n);
    expect(alive(chain.pid)).to.equal(true);
    await chain.close();
    expect(await gone(chain.pid)).to.equal(true);
  });

  it('refuses a port another node holds, with one clear line', async () => {
    const first = await startDevChain({ chainId: 5555, port: 0, totalAccounts: 1 });
    try {
      const port = Number(new URL(first.rpcUrl).port);
      let message = '';
      await startDevChain({ chainId: 5556, port, totalAccounts: 1 }).catch((error: Error) => (message = error.message));
      expect(message).to.match(new RegExp(`cannot start chain 5556 on 127.0.0.1:${port} .*pick another port`));
    } finally {
      await first.close();
    }
  });

  for (const [how, end] of [
    ['SIGTERM', (child: ReturnType<typeof spawn>) => child.kill('SIGTERM')],
    ['SIGINT', (child: ReturnType<typeof spawn>) => child.kill('SIGINT')],
    ['SIGKILL', (child: ReturnType<typeof spawn>) => child.kill('SIGKILL')],
  ] as const) {
    it(`is gone when its owner ends by ${how}`, async () => {
      const { child, pid } = await holder();
      expect(alive(pid)).to.equal(true);
      end(child);
      expect(await gone(pid)).to.equal(true);
    });
  }

  it('is gone when its owner dies of an uncaught error', async () => {
    const { child, pid } = await holder('uncaught');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await gone(pid)).to.equal(true);
  });

  it('is gone after a failing test run that never closed it', async () => {
    const mocha = join(__dirname, '..', '..', 'node_modules', '.bin', 'mocha');
    const run = spawn(mocha, [join(__dirname, 'fixtures', 'failing-with-chain.fixture.ts')], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    run.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => run.once('exit', resolve));
    expect(code).to.not.equal(0);
    const pid = Number(/anvil-pid=(\d+)/.exec(out)?.[1]);
    expect(pid).to.be.greaterThan(0);
    expect(await gone(pid)).to.equal(true);
  });
});
