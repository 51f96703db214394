import { expect } from 'chai';
import { startStatusServer, type StatusServer } from '../../src/status/status-server';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import {
  OPEN_REDEEM_REQUEST_HASH,
  REDEEM_MESSAGE_HASH,
  REDEEM_REQUEST_HASH,
  REDEEMER,
  seedBothDirections,
  sqlStatusSource,
  STAKE_MESSAGE_HASH,
  STAKE_REQUEST_HASH,
} from './both-directions';

interface Answer<T> {
  data?: T;
  errors?: Array<{ message: string }>;
}

describe('status API: stake and redeem directions, over SQLite', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let server: StatusServer;

  before(async () => {
    db = await openTestDatabase();
    await seedBothDirections(db.knex);
    server = await startStatusServer({ source: sqlStatusSource(db.knex), host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server.close();
    await db.close();
  });

  async function query<T>(document: string): Promise<T> {
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: document }) });
    const answer = (await response.json()) as Answer<T>;
    expect(answer.errors, JSON.stringify(answer.errors)).to.equal(undefined);
    return answer.data!;
  }

  it('serves the direction of every request and message, with the neutral names beside the stake ones', async () => {
    type Row = { direction: string; requestHash: string; stakeRequestHash: string; requester: string; staker: string };
    const data = await query<{ stakeRequests: Row[]; messages: Array<Row & { messageHash: string }> }>(
      '{ stakeRequests { direction requestHash stakeRequestHash requester staker } messages { direction messageHash requestHash stakeRequestHash requester staker } }',
    );
    const requests = new Map(data.stakeRequests.map((r) => [r.stakeRequestHash, r]));
    expect(requests.get(STAKE_REQUEST_HASH)!.direction).to.equal('STAKE');
    expect(requests.get(REDEEM_REQUEST_HASH)).to.deep.equal({
      direction: 'REDEEM',
      requestHash: REDEEM_REQUEST_HASH,
      stakeRequestHash: REDEEM_REQUEST_HASH,
      requester: REDEEMER,
      staker: REDEEMER,
    });
    const messages = new Map(data.messages.map((m) => [m.messageHash, m]));
    expect(messages.get(STAKE_MESSAGE_HASH)!.direction).to.equal('STAKE');
    expect(messages.get(REDEEM_MESSAGE_HASH)).to.include({ direction: 'REDEEM', requestHash: REDEEM_REQUEST_HASH, requester: REDEEMER });
  });

  it('keeps one direction when the lists are asked for one', async () => {
    const data = await query<Record<string, Array<{ direction: string; stakeRequestHash: string; messageHash?: string }>>>(`{
      redeemRequests: stakeRequests(direction: REDEEM) { direction stakeRequestHash }
      stakeRequests: requests(direction: STAKE) { direction stakeRequestHash }
      openRedeems: requests(direction: REDEEM, state: REQUESTED, requester: "${REDEEMER.toUpperCase().replace('0X', '0x')}") { direction stakeRequestHash }
      redeemMessages: messages(direction: REDEEM) { direction stakeRequestHash messageHash }
      stakeMessages: messages(direction: STAKE, first: 1) { direction stakeRequestHash messageHash }
      noStakeOfTheRedeemer: messages(direction: STAKE, staker: "${REDEEMER}") { direction stakeRequestHash }
      secondRedeemPage: stakeRequests(direction: REDEEM, first: 1, skip: 1) { direction stakeRequestHash }
    }`);
    expect(data.redeemRequests.map((r) => r.stakeRequestHash)).to.have.members([REDEEM_REQUEST_HASH, OPEN_REDEEM_REQUEST_HASH]);
    expect(data.redeemRequests.every((r) => r.direction === 'REDEEM')).to.equal(true);
    expect(data.stakeRequests).to.deep.equal([{ direction: 'STAKE', stakeRequestHash: STAKE_REQUEST_HASH }]);
    expect(data.openRedeems).to.deep.equal([{ direction: 'REDEEM', stakeRequestHash: OPEN_REDEEM_REQUEST_HASH }]);
    expect(data.redeemMessages).to.deep.equal([{ direction: 'REDEEM', stakeRequestHash: REDEEM_REQUEST_HASH, messageHash: REDEEM_MESSAGE_HASH }]);
    expect(data.stakeMessages).to.deep.equal([{ direction: 'STAKE', stakeRequestHash: STAKE_REQUEST_HASH, messageHash: STAKE_MESSAGE_HASH }]);
    expect(data.noStakeOfTheRedeemer).to.deep.equal([]);
    expect(data.secondRedeemPage).to.have.length(1);
    expect(data.secondRedeemPage[0].stakeRequestHash).to.not.equal(data.redeemRequests[0].stakeRequestHash);
  });

  it('finds a redeem request by its hash under both names', async () => {
    const data = await query<Record<string, { direction: string; state: string; message: { direction: string; state: string } | null }>>(`{
      byStakeName: stakeRequest(stakeRequestHash: "${REDEEM_REQUEST_HASH}") { direction state message { direction state } }
      byNeutralName: request(requestHash: "${REDEEM_REQUEST_HASH}") { direction state message { direction state } }
    }`);
    const expected = { direction: 'REDEEM', state: 'ACCEPTED', message: { direction: 'REDEEM', state: 'DECLARED' } };
    expect(data.byStakeName).to.deep.equal(expected);
    expect(data.byNeutralName).to.deep.equal(expected);
  });

  it('counts by state for one direction, and both added up without one', async () => {
    const data = await query<Record<string, Array<{ direction: string | null; state: string; count: number }>>>(`{
      messages: messageCounts { direction state count }
      stakeMessages: messageCounts(direction: STAKE) { direction state count }
      redeemMessages: messageCounts(direction: REDEEM) { direction state count }
      requests: stakeRequestCounts { direction state count }
      redeemRequests: stakeRequestCounts(direction: REDEEM) { direction state count }
    }`);
    expect(data.messages).to.have.deep.members([
      { direction: null, state: 'ACCEPTING', count: 1 },
      { direction: null, state: 'DECLARED', count: 1 },
    ]);
    expect(data.stakeMessages).to.deep.equal([{ direction: 'STAKE', state: 'ACCEPTING', count: 1 }]);
    expect(data.redeemMessages).to.deep.equal([{ direction: 'REDEEM', state: 'DECLARED', count: 1 }]);
    expect(data.requests).to.have.deep.members([
      { direction: null, state: 'ACCEPTING', count: 1 },
      { direction: null, state: 'ACCEPTED', count: 1 },
      { direction: null, state: 'REQUESTED', count: 1 },
    ]);
    expect(data.redeemRequests).to.have.deep.members([
      { direction: 'REDEEM', state: 'ACCEPTED', count: 1 },
      { direction: 'REDEEM', state: 'REQUESTED', count: 1 },
    ]);
  });

  it('labels the message and request gauges with their direction', async () => {
    const metrics = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
    const series = metrics.split('\n').filter((line) => /^facilitator_(messages|requests)\{/.test(line));
    expect(series).to.have.members([
      'facilitator_messages{direction="STAKE",state="ACCEPTING"} 1',
      'facilitator_messages{direction="REDEEM",state="DECLARED"} 1',
      'facilitator_requests{direction="STAKE",state="ACCEPTING"} 1',
      'facilitator_requests{direction="REDEEM",state="ACCEPTED"} 1',
      'facilitator_requests{direction="REDEEM",state="REQUESTED"} 1',
    ]);
  });

  it('documents both directions and what every request and message state means for a redeem', async () => {
    type Enum = { enumValues: Array<{ name: string; description: string | null }> };
    const data = await query<Record<string, Enum>>(`{
      direction: __type(name: "Direction") { enumValues { name description } }
      requestState: __type(name: "StakeRequestState") { enumValues { name description } }
      messageState: __type(name: "MessageState") { enumValues { name description } }
    }`);
    expect(data.direction.enumValues.map((v) => v.name)).to.deep.equal(['STAKE', 'REDEEM']);
    for (const [name, type] of Object.entries(data)) {
      for (const value of type.enumValues) expect(value.description, `${name}.${value.name}`).to.be.a('string').and.not.equal('');
    }
    const describe = (type: Enum, name: string) => type.enumValues.find((v) => v.name === name)!.description;
    expect(describe(data.messageState, 'ACCEPTING')).to.contain('acceptStakeRequest / acceptRedeemRequest');
    expect(describe(data.messageState, 'CONFIRMED')).to.contain('confirmRedeemIntent').and.contain('progressRedeem+progressUnstake');
    expect(describe(data.requestState, 'ACCEPTING')).to.contain('acceptRedeemRequest');
    expect(describe(data.requestState, 'TAKEN')).to.contain('RedeemPool');
  });

  it('says on the fields where a redeem reads them differently', async () => {
    type Fields = { fields: Array<{ name: string; description: string | null }> };
    const data = await query<{ request: Fields; message: Fields }>(
      '{ request: __type(name: "StakeRequest") { fields { name description } } message: __type(name: "Message") { fields { name description } } }',
    );
    const describe = (type: Fields, name: string) => type.fields.find((f) => f.name === name)!.description ?? '';
    expect(describe(data.request, 'staker')).to.contain('redeemer');
    expect(describe(data.request, 'stakerProxy')).to.contain('RedeemerProxy');
    expect(describe(data.request, 'composer')).to.contain('RedeemPool');
    expect(describe(data.message, 'sender')).to.contain('RedeemerProxy');
    expect(describe(data.message, 'sourceStatus')).to.contain('cogateway on auxiliary');
    expect(describe(data.message, 'unlockSecret')).to.contain('progressRedeem');
  });
});
