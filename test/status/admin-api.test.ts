import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SqlOutbox } from '../../src/chain/tx-engine/sql-outbox';
import { createAdminToken } from '../../src/config/admin-token';
import { SqlFacilitationStore } from '../../src/facilitation/sql-facilitation-store';
import { FacilitatorAdminActions, type AdminEngine } from '../../src/facilitator/admin-actions';
import { createLogger } from '../../src/logging/logger';
import { MessageStatus } from '../../src/mosaic/message-status';
import { startStatusServer, type StatusServer } from '../../src/status/status-server';
import { MESSAGE_HASH, stakeMessage, stakeRequest } from '../facilitation/facilitation-store-contract';
import { runCli } from '../helpers/cli';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { sqlStatusSource } from './both-directions';

const ORIGIN = 1000;
const AUXILIARY = 1405;
const WORKER = `0x${'31'.repeat(20)}`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const MESSAGE_FIELDS = 'message { state reason unlockSecret history { event state reason txHash } } summary';

/**
 * Engines over the real outbox: requeue and cancel are the outbox's own; a nonce resync takes the
 * "chain's" pending count from `chainNonce` (the engine's resync itself is tested on anvil).
 */
function outboxEngines(outbox: SqlOutbox, chainNonce: { value: bigint }): AdminEngine[] {
  return [ORIGIN, AUXILIARY].map((chainId) => ({
    chainId,
    requeue: (id: number, note: string) => outbox.requeueFailed(id, note),
    cancelQueued: (id: number, reason: string) => outbox.cancelQueued(id, reason),
    resyncNonce: async (worker: string) => {
      const previous = await outbox.storedNonce(chainId, worker);
      await outbox.resetNonce(chainId, worker, chainNonce.value);
      return { chainId, worker, previous, next: chainNonce.value, mined: chainNonce.value };
    },
  }));
}

describe('admin API (POST /admin: loopback, bearer token)', function () {
  this.timeout(20_000);
  let db: TestDatabase;
  let dir: string;
  let token: string;
  let server: StatusServer;
  let store: SqlFacilitationStore;
  let outbox: SqlOutbox;
  let logged: string;
  const chainNonce = { value: 7n };
  const answers: string[] = [];

  const admin = async (document: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) => {
    const answer = await post(server.url.replace(/\/graphql$/, '/admin'), JSON.stringify({ query: document }), headers);
    answers.push(answer.body);
    return answer;
  };
  const data = <T>(answer: Answer): T => {
    const parsed = JSON.parse(answer.body) as { data?: T; errors?: Array<{ message: string }> };
    if (parsed.errors) throw new Error(parsed.errors.map((e) => e.message).join('; '));
    return parsed.data!;
  };
  const errorsOf = (answer: Answer) => ((JSON.parse(answer.body) as { errors?: Array<{ message: string }> }).errors ?? []).map((e) => e.message).join('; ');

  /** A stake message CONFIRMED (declared on both sides), or FAILED there when `failed`. */
  const seedConfirmed = async (failed = false) => {
    await store.apply({ kind: 'requestSeen', request: stakeRequest() });
    await store.apply({ kind: 'acceptancePrepared', message: stakeMessage() });
    await store.apply({ kind: 'sourceStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Declared, declarationHeight: 42n });
    await store.apply({ kind: 'targetStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Declared, confirmedHeight: 50n });
    if (failed) await store.apply({ kind: 'messageFailed', messageHash: MESSAGE_HASH, reason: 'stopped by a deterministic failure' });
  };
  const step = async (chainId: number, purpose: string, status: 'queued' | 'sent' | 'failed') => {
    const { record } = await outbox.enqueue({ chainId, worker: WORKER, purpose, subject: MESSAGE_HASH, to: `0x${'70'.repeat(20)}`, data: '0x', value: 0n, gas: 100_000n });
    if (status === 'queued') return record;
    await outbox.markSigned(record.id, { nonce: 3n, fees: { type: 'legacy', gasPrice: 1n }, txHash: `0x${'f1'.repeat(32)}`, rawTransaction: '0x00' });
    if (status === 'failed') await outbox.markMined(record.id, { txHash: `0x${'f1'.repeat(32)}`, blockNumber: 60n, success: false, error: 'reverted' });
    return (await outbox.get(record.id))!;
  };

  beforeEach(async () => {
    db = await openTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'admin-api-'));
    token = createAdminToken(join(dir, 'admin-token'));
    store = new SqlFacilitationStore(db.knex);
    outbox = new SqlOutbox(db.knex);
    logged = '';
    const logger = createLogger({ destination: new Writable({ write: (chunk: Buffer, _e, done) => ((logged += chunk.toString()), done()) }) });
    const actions = new FacilitatorAdminActions({ store, records: (subjects) => outbox.list({ subjectLike: subjects }), engines: () => outboxEngines(outbox, chainNonce), logger });
    server = await startStatusServer({ source: sqlStatusSource(db.knex), admin: { token, actions }, host: '127.0.0.1' });
  });
  afterEach(async () => {
    await server.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 401 without a token or with a wrong one, and changes nothing', async () => {
    await seedConfirmed(true);
    const retry = `mutation { retryMessage(messageHash: "${MESSAGE_HASH}") { summary } }`;
    const none = await admin(retry, {});
    expect([none.status, none.headers['www-authenticate']]).to.deep.equal([401, 'Bearer realm="facilitator-admin"']);
    expect(errorsOf(none)).to.contain('Authorization: Bearer <token>');
    const wrong = await admin(retry, { authorization: `Bearer ${'0'.repeat(64)}` });
    expect([wrong.status, errorsOf(wrong)]).to.deep.equal([401, 'admin token refused: use the one in the admin-token file beside the facilitator-config']);
    expect((await admin(retry, { authorization: `Basic ${token}` })).status, 'not a bearer token').to.equal(401);
    expect((await store.getMessage(MESSAGE_HASH))!.state).to.equal('FAILED');
  });

  it('refuses the mutations on /graphql even with the token: they are served on /admin only', async () => {
    await seedConfirmed(true);
    const answer = await post(server.url, JSON.stringify({ query: `mutation { retryMessage(messageHash: "${MESSAGE_HASH}") { summary } }` }), { authorization: `Bearer ${token}` });
    expect(errorsOf(answer)).to.contain('served on POST /admin only');
    expect((await store.getMessage(MESSAGE_HASH))!.state).to.equal('FAILED');
  });

  it('retries a FAILED message: taken up again from its message boxes, with who asked in its history and the log', async () => {
    await seedConfirmed(true);
    const answer = await admin(`mutation { retryMessage(messageHash: "${MESSAGE_HASH.toUpperCase().replace('0X', '0x')}") { ${MESSAGE_FIELDS} } }`);
    const { message, summary } = data<{ retryMessage: { message: { state: string; history: Array<{ event: string; state: string; reason: string }> }; summary: string } }>(answer).retryMessage;
    expect(message.state).to.equal('CONFIRMED');
    expect(summary).to.equal('retried by an operator (admin API from 127.0.0.1): taken up again from its message boxes');
    expect(message.history.at(-1)).to.deep.include({ event: 'adminRetry', state: 'CONFIRMED', reason: summary });
    expect(logged).to.contain('admin action: message retried');
  });

  it('queues a failed progress step again, the message CONFIRMED as it was, the failed transaction as evidence', async () => {
    await seedConfirmed();
    const failed = await step(AUXILIARY, 'progressMint', 'failed');
    const answer = await admin(`mutation { retryMessage(messageHash: "${MESSAGE_HASH}", step: "progressMint") { ${MESSAGE_FIELDS} } }`);
    const { message, summary } = data<{ retryMessage: { message: { state: string; history: Array<{ event: string; txHash: string }> }; summary: string } }>(answer).retryMessage;
    expect([message.state, summary]).to.deep.equal(['CONFIRMED', 'retried by an operator (admin API from 127.0.0.1): progressMint queued again']);
    expect(message.history.at(-1)).to.deep.include({ event: 'adminRetry', txHash: failed.txHash });
    expect((await outbox.get(failed.id))!.status).to.equal('queued');

    const again = await admin(`mutation { retryMessage(messageHash: "${MESSAGE_HASH}") { summary } }`);
    expect(errorsOf(again)).to.equal(`message ${MESSAGE_HASH} is CONFIRMED and has no failed step to queue again: nothing to retry`);
    const confirm = await admin(`mutation { retryMessage(messageHash: "${MESSAGE_HASH}", step: "confirmStakeIntent") { summary } }`);
    expect(errorsOf(confirm)).to.contain('the facilitator confirms again with each new proof');
    const unknown = await admin(`mutation { retryMessage(messageHash: "0x${'12'.repeat(32)}") { summary } }`);
    expect(errorsOf(unknown)).to.equal(`no message 0x${'12'.repeat(32)} in this facilitator's database`);
  });

  it('abandons a message: ADMIN_ABANDONED, its queued steps cancelled, its secret kept in the database and never served', async () => {
    await seedConfirmed();
    const queued = await step(ORIGIN, 'progressStake', 'queued');
    const sent = await step(AUXILIARY, 'progressMint', 'sent');
    const answer = await admin(`mutation { abandonMessage(messageHash: "${MESSAGE_HASH}", reason: "the staker asked to stop") { ${MESSAGE_FIELDS} } }`);
    const { message, summary } = data<{ abandonMessage: { message: { state: string; reason: string; unlockSecret: string | null; history: Array<{ event: string; state: string }> }; summary: string } }>(answer).abandonMessage;
    expect([message.state, message.reason, message.unlockSecret]).to.deep.equal([
      'ADMIN_ABANDONED',
      'abandoned by an operator (admin API from 127.0.0.1): the staker asked to stop',
      null,
    ]);
    expect(summary).to.contain('1 queued step(s) cancelled').and.to.contain(`progressMint ${sent.txHash} sent and not final`);
    expect(message.history.at(-1)).to.deep.include({ event: 'adminAbandon', state: 'ADMIN_ABANDONED' });
    expect([(await outbox.get(queued.id))!.status, (await outbox.get(sent.id))!.status]).to.deep.equal(['failed', 'sent']);
    expect((await store.getMessage(MESSAGE_HASH))!.unlockSecret).to.equal(stakeMessage().unlockSecret);
    expect(answers.join('\n')).not.to.contain(stakeMessage().unlockSecret.slice(2));

    // Even once a side is progressed (the secret on chain), the API does not serve it for an abandoned message.
    await store.apply({ kind: 'targetStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Progressed });
    const read = await post(server.url, JSON.stringify({ query: `{ message(messageHash: "${MESSAGE_HASH}") { state unlockSecret } }` }));
    expect(JSON.parse(read.body)).to.deep.equal({ data: { message: { state: 'ADMIN_ABANDONED', unlockSecret: null } } });
    const retry = await admin(`mutation { retryMessage(messageHash: "${MESSAGE_HASH}") { summary } }`);
    expect(errorsOf(retry)).to.equal(`message ${MESSAGE_HASH} is ADMIN_ABANDONED: nothing to retry`);
    expect(errorsOf(await admin(`mutation { abandonMessage(messageHash: "${MESSAGE_HASH}", reason: " ") { summary } }`))).to.contain('reason must say why');
  });

  it('resyncs a worker\'s nonce on a chain of this facilitator, and says which chains are', async () => {
    await outbox.resetNonce(ORIGIN, WORKER, 12n);
    const answer = await admin(`mutation { resyncWorkerNonce(chainId: ${ORIGIN}, address: "${WORKER}") { chainId worker previous next mined } }`);
    expect(data<{ resyncWorkerNonce: unknown }>(answer).resyncWorkerNonce).to.deep.equal({ chainId: ORIGIN, worker: WORKER, previous: '12', next: '7', mined: '7' });
    expect(await outbox.storedNonce(ORIGIN, WORKER)).to.equal(7n);
    expect(logged).to.contain('admin action: worker nonce resynced from the chain');
    const other = await admin(`mutation { resyncWorkerNonce(chainId: 99, address: "${WORKER}") { next } }`);
    expect(errorsOf(other)).to.equal(`chain 99 is not one of this facilitator's: ${ORIGIN}, ${AUXILIARY}`);
    expect(errorsOf(await admin(`mutation { resyncWorkerNonce(chainId: ${ORIGIN}, address: "0x12") { next } }`))).to.contain('is not an address');
  });

  it('is driven by `facilitator admin`, which reads the token beside the config and says what was done in one line', async () => {
    await seedConfirmed(true);
    const common = ['--facilitator-config', join(dir, 'facilitator-config.json'), '--status-url', server.url];
    const retried = await runCli(['admin', 'retry', MESSAGE_HASH, ...common], { timeoutMs: 30_000 });
    expect([retried.code, retried.stdout.trim()]).to.deep.equal([0, 'CONFIRMED: retried by an operator (admin API from 127.0.0.1): taken up again from its message boxes']);
    const refused = await runCli(['admin', 'retry', MESSAGE_HASH, ...common], { timeoutMs: 30_000 });
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr.trim().split('\n').at(-1)).to.contain(`message ${MESSAGE_HASH} is CONFIRMED and has no failed step to queue again`);
    expect(refused.stderr + retried.stdout).not.to.contain(token);
  });

  it('never writes the token in a log line or an answer, whatever was presented', async () => {
    await seedConfirmed(true);
    await admin(`mutation { retryMessage(messageHash: "${MESSAGE_HASH}") { summary } }`);
    await admin(`mutation { abandonMessage(messageHash: "${MESSAGE_HASH}", reason: "done") { summary } }`);
    await admin(`mutation { retryMessage(messageHash: "${MESSAGE_HASH}") { summary } }`, { authorization: `Bearer ${token.slice(0, 63)}x` });
    await admin('{ role }', { authorization: `Bearer ${token} extra` });
    expect(logged).to.contain('admin action');
    for (const text of [logged, ...answers]) expect(text).not.to.contain(token.slice(0, 32));
  });
});

describe('admin API on a status server bound to a non-loopback address', function () {
  this.timeout(20_000);

  it('refuses every admin action (403), token or not, and serves the status queries as before', async () => {
    const db = await openTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'admin-api-'));
    const token = createAdminToken(join(dir, 'admin-token'));
    const outbox = new SqlOutbox(db.knex);
    const actions = new FacilitatorAdminActions({ store: new SqlFacilitationStore(db.knex), records: (s) => outbox.list({ subjectLike: s }), engines: () => [], logger: createLogger({ level: 'silent' }) });
    const server = await startStatusServer({ source: sqlStatusSource(db.knex), admin: { token, actions }, host: '0.0.0.0' });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const answer = await post(`${base}/admin`, JSON.stringify({ query: '{ role }' }), { authorization: `Bearer ${token}` });
      expect(answer.status).to.equal(403);
      expect(answer.body).to.contain('admin actions are served only when the status API listens on loopback').and.not.to.contain(token);
      expect((await post(`${base}/graphql`, JSON.stringify({ query: '{ role }' }))).body).to.equal('{"data":{"role":"ACTIVE"}}');
    } finally {
      await server.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
