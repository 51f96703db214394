import { expect } from 'chai';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/open-database';
import { runCli } from '../helpers/cli';
import { configuredFolder, makeWorkers, type tempFolder, type Workers } from '../config/config-fixtures';

describe('facilitator status (not running) is read-only', function () {
  this.timeout(60_000);
  let workers: Workers;
  let folder: ReturnType<typeof tempFolder>;
  let configPath: string;
  let databasePath: string;

  before(async () => (workers = await makeWorkers()));
  beforeEach(() => ({ folder, configPath, databasePath } = configuredFolder(workers)));
  afterEach(() => folder.remove());

  const status = () => runCli(['status', '--facilitator-config', configPath], { env: { MOSAIC_HOME: join(folder.dir, 'home') }, timeoutMs: 45_000 });

  it('a missing database: one line, non-zero exit, no database created', async function () {
    const result = await status();
    expect(result.code).to.equal(1);
    expect(result.stderr.trim().split('\n')).to.deep.equal([
      `facilitator: no database at ${databasePath}: run \`facilitator init\` (or \`facilitator start --create-database\`) to create it, or fix database.path`,
    ]);
    expect(existsSync(join(folder.dir, 'db'))).to.equal(false);
  });

  it('an existing database is read, not migrated or written', async function () {
    const knex = await openDatabase(databasePath);
    await knex.destroy();
    const before = statSync(databasePath).mtimeMs;
    const result = await status();
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('not running');
    expect(statSync(databasePath).mtimeMs).to.equal(before);
  });
});
