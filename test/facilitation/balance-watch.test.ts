import { expect } from 'chai';
import { Writable } from 'node:stream';
import { startBalanceWatch } from '../../src/facilitation/balance-watch';
import { createLogger } from '../../src/logging/logger';
import { FAKE, fakeFacilitation } from '../fakes/fake-facilitation';

describe('worker balance watch (no chain)', () => {
  it('warns when an auxiliary worker cannot pay gas plus the redeem bounty, and not before', async () => {
    const fake = fakeFacilitation();
    const redeemBounty = 5n * 10n ** 17n;
    fake.auxiliary.rpc.contract(FAKE.coGateway, 'EIP20CoGateway', { bounty: () => redeemBounty });
    let lines = '';
    fake.context.logger = createLogger({ destination: new Writable({ write: (chunk: Buffer, _e, done) => ((lines += chunk.toString()), done()) }) });
    const warnBelow = 10n ** 18n;
    const watch = async (auxBalance: bigint): Promise<string[]> => {
      lines = '';
      fake.auxiliary.rpc.balances.set(FAKE.auxiliaryWorker, auxBalance);
      const stop = startBalanceWatch(fake.context, { intervalMs: 60_000, warnBelow });
      await new Promise((resolve) => setTimeout(resolve, 50));
      stop();
      return lines.split('\n').filter((l) => l.includes('worker balance low'));
    };
    expect(await watch(warnBelow + redeemBounty), 'enough for gas and one redeem bounty').to.deep.equal([]);
    const [warning] = await watch(warnBelow + redeemBounty - 1n);
    expect(JSON.parse(warning)).to.include({ chain: 'auxiliary', worker: FAKE.auxiliaryWorker, redeemBounty: redeemBounty.toString() });
  });
});
