import { expect } from 'chai';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/open-database';
import { indexerDatabasePath, openIndexerDatabase } from '../../src/facilitator/indexer-database';

describe('the embedded indexer\'s database', () => {
  it('is a file of its own beside the facilitator\'s SQLite database', () => {
    expect(indexerDatabasePath('/var/lib/mosaic/facilitator.sqlite')).to.equal('/var/lib/mosaic/facilitator.indexer.sqlite');
    expect(indexerDatabasePath('/data/state.db')).to.equal('/data/state.indexer.db');
    expect(indexerDatabasePath('/data/state')).to.equal('/data/state.indexer.sqlite');
  });

  it('never shares the facilitator\'s connection: its writes land in its own owner-only file, kept after stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facilitator-idxdb-'));
    const path = join(dir, 'facilitator.sqlite');
    const facilitator = await openDatabase(path);
    const cleanups: Array<() => Promise<void>> = [];
    try {
      const indexer = await openIndexerDatabase({ client: 'sqlite', path }, cleanups);
      expect(indexer).to.not.equal(facilitator);
      await indexer.schema.createTable('sg_probe', (t) => t.string('id'));
      expect(await facilitator.schema.hasTable('sg_probe'), 'not in the facilitator\'s file').to.equal(false);
      expect(statSync(indexerDatabasePath(path)).mode & 0o777).to.equal(0o600);
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      expect(statSync(indexerDatabasePath(path)).isFile(), 'kept: a restart resumes indexing').to.equal(true);
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
      await facilitator.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
