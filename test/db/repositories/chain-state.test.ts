import { expect } from 'chai';
import { createRepositories, type Repositories } from '../../../src/db/repositories';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { hex } from './rows';

describe('GatewayRepository, AnchorRepository, StreamCursorRepository', function () {
  let db: TestDatabase;
  let repos: Repositories;
  beforeEach(async () => {
    db = await openTestDatabase();
    repos = createRepositories(db.knex);
  });
  afterEach(async () => db.close());

  it('gateways: upsert, raise the proven height only upwards, keyed by chain', async function () {
    const gateway = hex('9A', 20);
    const upserted = await repos.gateways.upsert({ chainId: 1337, gateway, coGateway: hex('9b', 20), anchor: hex('11', 20), bounty: 100n, activated: true });
    expect(upserted).to.include({ gateway: hex('9a', 20), chainId: 1337, lastProvenHeight: '0', bounty: '100', activated: true, anchor: hex('11', 20) });
    expect(await repos.gateways.raiseProvenHeight(1337, gateway, hex('9b', 20), 50n)).to.equal(true);
    expect(await repos.gateways.raiseProvenHeight(1337, gateway, hex('9b', 20), 40n)).to.equal(false);
    expect((await repos.gateways.get(1337, gateway))?.lastProvenHeight).to.equal('50');
    expect(await repos.gateways.get(1405, gateway)).to.equal(undefined);
    const again = await repos.gateways.upsert({ chainId: 1337, gateway, coGateway: hex('9b', 20), lastProvenHeight: 10n });
    expect(again).to.include({ lastProvenHeight: '50', bounty: '100' });
  });

  it('gateways: a row from the first schema (no chain id) is found and adopted', async function () {
    await db.knex('gateways').insert({ gateway: hex('9a', 20), cogateway: hex('9b', 20), last_proven_height: '7', updated_at: 1 });
    expect((await repos.gateways.get(1337, hex('9a', 20)))?.chainId).to.equal(null);
    await repos.gateways.raiseProvenHeight(1337, hex('9a', 20), hex('9b', 20), 8);
    expect(await repos.gateways.get(1337, hex('9a', 20))).to.include({ chainId: 1337, lastProvenHeight: '8' });
  });

  it('anchors: raise the anchored height with its state root, only upwards', async function () {
    const anchor = hex('22', 20);
    expect(await repos.anchors.raiseAnchoredHeight(1405, anchor, 100, hex('AA', 32))).to.equal(true);
    expect(await repos.anchors.raiseAnchoredHeight(1405, anchor, 99)).to.equal(false);
    expect(await repos.anchors.get(1405, anchor)).to.include({ lastAnchoredHeight: '100', stateRoot: hex('aa', 32), chainId: 1405 });
    expect(await repos.anchors.get(1337, anchor)).to.equal(undefined);
    let error: unknown;
    try {
      await repos.anchors.raiseAnchoredHeight(1337, anchor, 5);
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).to.contain(`anchor ${anchor} is already recorded for chain 1405`);
  });

  it('stream cursors: save, overwrite, list', async function () {
    const seen: number[] = [];
    repos.streamCursors.changes$.subscribe((c) => seen.push(c.throughBlock));
    await repos.streamCursors.save('origin:StakeRequested', 10, 'abc-1');
    await repos.streamCursors.save('origin:StakeRequested', 12);
    await repos.streamCursors.save('auxiliary:GatewayProven', 3);
    expect(await repos.streamCursors.get('origin:StakeRequested')).to.include({ throughBlock: 12, lastEntityId: null });
    expect((await repos.streamCursors.all()).map((c) => c.stream)).to.deep.equal(['auxiliary:GatewayProven', 'origin:StakeRequested']);
    expect(seen).to.deep.equal([10, 12, 3]);
    expect(await repos.streamCursors.get('none')).to.equal(undefined);
  });
});
