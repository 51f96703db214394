import { expect } from 'chai';
import { ChainClient } from '../../../src/chain/chain-client';
import type { JsonRpc } from '../../../src/chain/json-rpc';
import { LocalSigner } from '../../../src/chain/local-signer';
import type { OutboxPort } from '../../../src/chain/tx-engine/outbox-port';
import { TransactionEngine } from '../../../src/chain/tx-engine/transaction-engine';
import { StoreError } from '../../../src/db/store-error';
import { StoppedUnits } from '../../../src/errors/stopped-units';
import { silentLogger } from '../../../src/logging/logger';

/** No node is needed: every pass fails (or finds nothing) in the outbox before touching the chain. */
const NO_NODE: JsonRpc = {
  url: 'http://no-node.invalid',
  request: () => Promise.reject(new Error('the node must not be called')),
};

/** An outbox whose `inFlight` answers with `inFlight(call)`; nothing is ever queued. */
function outbox(inFlight: (call: number) => Promise<never[]>): { port: OutboxPort; calls: () => number } {
  let calls = 0;
  const methods: Partial<OutboxPort> = {
    inFlight: () => inFlight(++calls),
    queued: () => Promise.resolve([]),
  };
  return { port: methods as OutboxPort, calls: () => calls };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('transaction engine: a worker\'s failures by class', () => {
  const signer = new LocalSigner(`0x${'42'.repeat(32)}`);
  let engine: TransactionEngine | undefined;
  afterEach(async () => engine?.stop());

  const start = (port: OutboxPort, units: StoppedUnits) => {
    engine = new TransactionEngine({ client: new ChainClient(NO_NODE, 1405), signers: new Map([[signer.address, signer]]), outbox: port, pollIntervalMs: 10, logger: silentLogger(), stoppedUnits: units });
    engine.start();
    return engine;
  };

  it('stops the worker on a deterministic store failure, with the reason recorded', async () => {
    const units = new StoppedUnits();
    const { port, calls } = outbox(() => Promise.reject(new StoreError('outbox.inFlight', 'SQLITE_CONSTRAINT')));
    const started = start(port, units);
    await until(() => started.stoppedWorkers().length === 1, 'the worker stopped');
    await new Promise((r) => setTimeout(r, 200));
    expect(calls()).to.equal(1);
    expect(started.stoppedWorkers()[0]).to.include({ kind: 'worker', name: `1405:${signer.address}`, errorName: 'StoreError', reason: 'database outbox.inFlight failed (SQLITE_CONSTRAINT)' });
  });

  it('backs off and keeps going through a busy database', async () => {
    const units = new StoppedUnits();
    const { port, calls } = outbox((call) => (call <= 2 ? Promise.reject(new StoreError('outbox.inFlight', 'SQLITE_BUSY')) : Promise.resolve([])));
    const started = start(port, units);
    const begun = Date.now();
    await until(() => calls() >= 4, 'passes after the busy ones');
    // 400 ms then 800 ms, each ±25 % jitter
    expect(Date.now() - begun).to.be.at.least(900);
    expect(started.stoppedWorkers()).to.deep.equal([]);
    expect(units.list()).to.deep.equal([]);
  });
});
