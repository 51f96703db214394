import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Devnet } from '../../src/devnet/devnet';
import { requestStakeOnDevnet } from '../../src/devnet/devnet-stake';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';
import { startInProcessFacilitator, type InProcessFacilitator } from '../helpers/in-process-facilitator';

/** The write statements of the database, by verb and table: `insert into messages`, `update transactions`, … */
function writeKind(sql: string): string | undefined {
  const match = /^\s*(insert into|update|delete from)\s+[`"]?(\w+)/i.exec(sql);
  return match ? `${match[1].toLowerCase()} ${match[2]}` : undefined;
}

interface KnexClientInternals {
  _query(connection: unknown, query: { sql: string; bindings?: unknown[] }): Promise<unknown>;
}

/**
 * Makes the first statement of every kind of write fail as a busy SQLite does; Knex then puts the SQL
 * and its bound values (an unlock secret, a signed transaction) in the error message. Returns the raw
 * messages, to show the secrets were there to leak.
 */
function failEveryKindOfWriteOnce(knex: Knex): { kinds: Set<string>; rawMessages: string[]; restore(): void } {
  // Transactions run on clients made from the driver client's prototype: patch it there (this process only).
  const prototype = Object.getPrototypeOf(knex.client) as KnexClientInternals;
  const original = prototype._query;
  const kinds = new Set<string>();
  const rawMessages: string[] = [];
  knex.on('query-error', (error: Error) => rawMessages.push(error.message));
  prototype._query = function (this: KnexClientInternals, connection, query) {
    const kind = writeKind(query.sql);
    if (kind && !kinds.has(kind)) {
      kinds.add(kind);
      const error = Object.assign(new Error('SQLITE_BUSY: database is locked'), { code: 'SQLITE_BUSY', errno: 5 });
      // What Knex does to a driver error (query-executioner.js): the SQL with its values in front.
      rawMessages.push(`${query.sql} ${JSON.stringify(query.bindings ?? [])} - ${error.message}`);
      return Promise.reject(error);
    }
    return original.call(this, connection, query);
  };
  return { kinds, rawMessages, restore: () => (prototype._query = original) };
}

describe('e2e: no secret leaks when database writes fail during a whole facilitation', function () {
  this.timeout(180_000);
  let devnet: Devnet;
  let facilitator: InProcessFacilitator | undefined;
  let restore: (() => void) | undefined;

  before(async () => {
    devnet = await startTestDevnet({ stakers: 2, blockTimeMs: 100, anchorIntervalMs: 300 });
  });
  after(async () => {
    restore?.();
    await facilitator?.stop();
    await devnet?.close();
  });

  it('every kind of write fails once; both requests still end minted, and no unlock secret or key appears in a log line, status answer, metric or stored error', async () => {
    facilitator = await startInProcessFacilitator(devnet, { confirmations: 0, reconcileIntervalMs: 500, status: true });
    const knex = facilitator.runtime.knex;
    const injected = failEveryKindOfWriteOnce(knex);
    restore = injected.restore;
    const stakers = addressesWithRole(devnet, 'staker');
    const stakes = await Promise.all(stakers.slice(0, 2).map((staker) => requestStakeOnDevnet(devnet, staker)));

    const deadline = Date.now() + 120_000;
    for (;;) {
      const rows = (await knex('stake_requests').whereIn('stake_request_hash', stakes.map((s) => s.stakeRequestHash))) as Array<{ message_hash: string | null }>;
      const hashes = rows.map((r) => r.message_hash).filter((h): h is string => h !== null);
      const done = hashes.length === 2 && (await knex('messages').whereIn('message_hash', hashes).where({ state: 'COMPLETED' })).length === 2;
      if (done) break;
      if (Date.now() > deadline) {
        const state = JSON.stringify({ rows, messages: await knex('messages').select('message_hash', 'state', 'source_status', 'target_status'), failed: [...injected.kinds] });
        const warnings = facilitator.logs().split('\n').filter((line) => /"level":(40|50)/.test(line)).slice(-30).join('\n');
        throw new Error(`the requests did not complete: ${state}\n${warnings}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const secrets = ((await knex('messages').select('unlock_secret')) as Array<{ unlock_secret: string }>).map((r) => r.unlock_secret);
    const keys = devnet.info.accounts.map((a) => a.privateKey);
    const secretParts = [...secrets, ...keys].map((value) => value.slice(2, 34).toLowerCase());
    expect([...injected.kinds], 'every kind of facilitation write failed once').to.include.members(['insert into messages', 'insert into stake_requests', 'insert into transactions', 'update transactions']);
    expect(injected.rawMessages.some((m) => secretParts.some((part) => m.toLowerCase().includes(part))), 'the raw driver errors did carry a secret').to.equal(true);

    const statusUrl = facilitator.runtime.status!.url;
    const status = await fetch(statusUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ stakeRequests { state reason } messages { state reason transactions { lastError } } chains { feeCapWait { transactions } } }' }),
    }).then((r) => r.text());
    const metrics = await fetch(statusUrl.replace(/\/graphql$/, '/metrics')).then((r) => r.text());
    const storedErrors = JSON.stringify([
      await knex('transactions').select('last_error'),
      await knex('messages').select('reason'),
      await knex('stake_requests').select('reason'),
    ]);
    const places: Record<string, string> = { logs: facilitator.logs(), status, metrics, storedErrors };
    for (const [where, text] of Object.entries(places)) {
      for (const part of secretParts) expect(text.toLowerCase().includes(part), `a secret in ${where}`).to.equal(false);
    }
    expect(facilitator.logs(), 'the failures were logged (without values)').to.match(/SQLITE_BUSY/);
  });
});
