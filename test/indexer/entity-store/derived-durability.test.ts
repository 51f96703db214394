import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../src/db/open-database';
import { EntityStore } from '../../../src/indexer/entity-store/entity-store';
import type { BlockWrites, EntityData, StoreValue } from '../../../src/indexer/wasm/types';

const SCHEMA = `
type Event @entity(immutable: true) {
  id: ID!
  n: BigInt!
}
`;

function runCrashWriter(path: string, batches: number): Promise<{ stdout: string; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'crash-writer.ts'), path, SCHEMA, String(batches)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ stdout, signal }));
  });
}

describe('the indexer database (durability `derived`): a crash loses at most the last commits, never corrupts', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'indexer-crash-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses synchronous=NORMAL in WAL mode and makes none of the facilitator\'s tables', async () => {
    const knex = await openDatabase(join(dir, 'i.sqlite'), { durability: 'derived' });
    try {
      const pragma = async (name: string) => Object.values((await knex.raw(`PRAGMA ${name}`))[0] as Record<string, unknown>)[0];
      expect(await pragma('journal_mode')).to.equal('wal');
      expect(await pragma('synchronous')).to.equal(1);
      expect(await knex.schema.hasTable('knex_migrations')).to.equal(false);
      expect(await knex.schema.hasTable('stake_requests')).to.equal(false);
    } finally {
      await knex.destroy();
    }
  });

  it('after SIGKILL mid-commit: the cursor and the entities agree, and indexing resumes from the cursor', async () => {
    const path = join(dir, 'i.sqlite');
    const { stdout, signal } = await runCrashWriter(path, 4);
    expect(signal).to.equal('SIGKILL');
    expect(stdout).to.contain('committed 200');

    const knex = await openDatabase(path, { durability: 'derived' });
    try {
      expect(((await knex.raw('PRAGMA integrity_check')) as Array<Record<string, string>>)[0].integrity_check).to.equal('ok');
      const store = await EntityStore.open({ knex, namespace: 'sg_crash', schemaSdl: SCHEMA });
      const cursor = Number((await store.cursor())!.number);
      // Whole commits only: the in-flight batch of 50 blocks is there entirely or not at all.
      expect([200, 250]).to.include(cursor);
      const rows = (await knex(store.tableOf('Event')).select('id').orderBy('vid')) as Array<{ id: string }>;
      expect(rows.map((r) => r.id)).to.deep.equal(Array.from({ length: cursor }, (_, i) => `e${i + 1}`));

      const next = cursor + 1;
      const data = new Map<string, StoreValue>([['id', { kind: 'String', value: `e${next}` }], ['n', { kind: 'BigInt', value: BigInt(next) }]]);
      const block = { number: BigInt(next), hash: `0x${next.toString(16).padStart(64, '0')}`, parentHash: `0x${cursor.toString(16).padStart(64, '0')}`, timestamp: 1n };
      await store.commitBlock(block, new Map([['Event', new Map<string, EntityData>([[`e${next}`, data]])]]) as BlockWrites);
      expect(Number((await store.cursor())!.number)).to.equal(next);
      expect(await store.findOne('Event', `e${next}`, BigInt(next))).to.deep.include({ id: `e${next}`, n: String(next) });
    } finally {
      await knex.destroy();
    }
  });
});
