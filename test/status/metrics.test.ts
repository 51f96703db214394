import { expect } from 'chai';
import { emptyStatusSource } from '../fakes/empty-status-source';
import { StoppedUnits } from '../../src/errors/stopped-units';
import { createMetrics } from '../../src/status/metrics';
import type { OldestWaiting, StatusSource } from '../../src/status/status-source';

/** A status source whose counts, oldest waits and gas floors are given. */
function source(oldest: OldestWaiting[] | undefined, completed: { STAKE?: number; REDEEM?: number } = {}): StatusSource {
  return emptyStatusSource({
    messageCounts: async () => [
      { direction: 'STAKE', state: 'DECLARED', count: 4 },
      ...(completed.STAKE ? [{ direction: 'STAKE' as const, state: 'COMPLETED' as const, count: completed.STAKE, auxChainId: 1405 }] : []),
      ...(completed.REDEEM ? [{ direction: 'REDEEM' as const, state: 'COMPLETED' as const, count: completed.REDEEM }] : []),
    ],
    ...(oldest ? { oldestWaiting: async () => oldest, workerGasFloors: () => [{ chainId: 1405, minGasBalance: 10n ** 16n }] } : {}),
  });
}

/** The value of one series in the exposition text, by its exact label set. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics: how long records wait and how many completed', () => {
  it('gives the age of the oldest waiting message and request per direction and state', async () => {
    const now = Date.now();
    const registry = createMetrics(
      source([
        { record: 'message', direction: 'STAKE', state: 'DECLARED', since: now - 600_000 },
        { record: 'message', direction: 'REDEEM', state: 'CONFIRMED', since: now - 30_000 },
        { record: 'request', direction: 'STAKE', state: 'REQUESTED', since: now - 120_000 },
      ]),
      new StoppedUnits(),
    );
    const text = await registry.metrics();
    expect(sample(text, 'facilitator_oldest_waiting_seconds{direction="STAKE",state="DECLARED"}')).to.be.within(599, 602);
    expect(sample(text, 'facilitator_oldest_waiting_seconds{direction="REDEEM",state="CONFIRMED"}')).to.be.within(29, 32);
    expect(sample(text, 'facilitator_oldest_waiting_seconds{direction="STAKE",state="REQUESTED"}'), 'requests have their own metric').to.equal(undefined);
    expect(sample(text, 'facilitator_oldest_waiting_request_seconds{direction="STAKE",state="REQUESTED"}')).to.be.within(119, 122);
    expect(sample(text, 'facilitator_worker_min_gas_balance_wei{chain_id="1405"}')).to.equal(1e16);
  });

  it('counts completed messages per direction (both always there, to alert on no increase), pairs added up', async () => {
    const text = await createMetrics(source([], { STAKE: 3, REDEEM: 2 }), new StoppedUnits()).metrics();
    expect(text).to.contain('# TYPE facilitator_messages_completed_total counter');
    expect(sample(text, 'facilitator_messages_completed_total{direction="STAKE"}')).to.equal(3);
    expect(sample(text, 'facilitator_messages_completed_total{direction="REDEEM"}')).to.equal(2);
    const none = await createMetrics(source([]), new StoppedUnits()).metrics();
    expect([sample(none, 'facilitator_messages_completed_total{direction="STAKE"}'), sample(none, 'facilitator_messages_completed_total{direction="REDEEM"}')]).to.deep.equal([0, 0]);
  });

  it('a source without waits (an older one) leaves those series out instead of failing the scrape', async () => {
    const text = await createMetrics(source(undefined), new StoppedUnits()).metrics();
    expect(text).to.not.match(/^facilitator_oldest_waiting_seconds\{/m);
    expect(text).to.match(/^facilitator_messages\{direction="STAKE",state="DECLARED"\} 4$/m);
  });
});
