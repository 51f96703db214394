import { expect } from 'chai';
import { emptyStatusSource } from '../fakes/empty-status-source';
import { startStatusServer, type StatusServer } from '../../src/status/status-server';
import { streamLag, type StatusSource, type StreamStatus } from '../../src/status/status-source';

/** A status source holding nothing but the given streams. */
function sourceWithStreams(streams: StreamStatus[]): StatusSource {
  return emptyStatusSource({ streams: async () => streams });
}

describe('stream lag', () => {
  it('counts from the last block checked: a stream at the head is 0 behind, whatever its confirmations', () => {
    expect(streamLag({ name: 'origin.StakeRequested', cursor: 100, subgraphHead: 100, confirmations: 0 })).to.equal(0);
    // Waiting for 6 confirmations is the stream's rule, not a delay.
    expect(streamLag({ name: 'origin.StakeRequested', cursor: 94, subgraphHead: 100, confirmations: 6 })).to.equal(0);
    expect(streamLag({ name: 'origin.StakeRequested', cursor: 90, subgraphHead: 100, confirmations: 6 })).to.equal(4);
    expect(streamLag({ name: 'auxiliary.MintProgressed', cursor: 80, subgraphHead: 100 })).to.equal(20);
  });

  it('is unknown without a cursor or a head, never negative', () => {
    expect(streamLag({ name: 's', subgraphHead: 100 })).to.equal(undefined);
    expect(streamLag({ name: 's', cursor: 5 })).to.equal(undefined);
    expect(streamLag({ name: 's', cursor: 105, subgraphHead: 100 })).to.equal(0);
  });

  describe('in the status API and the metrics', function () {
    let server: StatusServer;
    before(async () => {
      const streams = [
        { name: 'origin.StakeRequested', cursor: 94, subgraphHead: 100, confirmations: 6 },
        { name: 'auxiliary.MintProgressed', cursor: 80, subgraphHead: 100, confirmations: 0 },
      ];
      server = await startStatusServer({ source: sourceWithStreams(streams), host: '127.0.0.1', port: 0 });
    });
    after(async () => server.close());

    it('reports the same lag in both', async () => {
      const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ streams { name cursor lag } }' }) });
      const { data } = (await response.json()) as { data: { streams: Array<{ name: string; lag: number }> } };
      expect(data.streams.map((s) => [s.name, s.lag])).to.deep.equal([['origin.StakeRequested', 0], ['auxiliary.MintProgressed', 20]]);
      const metrics = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
      expect(metrics).to.contain('facilitator_stream_lag_blocks{stream="origin.StakeRequested"} 0');
      expect(metrics).to.contain('facilitator_stream_lag_blocks{stream="auxiliary.MintProgressed"} 20');
    });
  });
});
