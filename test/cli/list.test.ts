import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';

describe('facilitator list', function () {
  this.timeout(60_000);
  let home: string;
  let runDir: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'mosaic-list-'));
    runDir = join(home, 'run');
    mkdirSync(runDir);
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const runFile = (auxChainId: number) => join(runDir, `facilitator-${auxChainId}.json`);
  const write = (auxChainId: number, content: unknown) => writeFileSync(runFile(auxChainId), JSON.stringify(content), { mode: 0o600 });
  const list = (...args: string[]) => runCli(['list', ...args], { env: { MOSAIC_HOME: home }, timeoutMs: 30_000 });
  // A pid that is surely not running (above the usual pid_max), so every listed instance is "stale".
  const whole = { pid: 4_000_000, auxChainId: 1405, originChainId: 1337, facilitatorConfig: '/x/facilitator-config.json', startedAt: '2024-05-01T10:00:00.000Z' };
  const { startedAt: _startedAt, ...withoutStartedAt } = whole;
  const { originChainId: _originChainId, ...withoutOriginChainId } = whole;
  const { facilitatorConfig: _facilitatorConfig, ...withoutFacilitatorConfig } = whole;

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['without startedAt', withoutStartedAt, 'startedAt is missing or not a date'],
    ['with a startedAt that is not a date', { ...whole, startedAt: 'yesterday' }, 'startedAt is missing or not a date'],
    ['without originChainId', withoutOriginChainId, 'originChainId is missing or not a chain id'],
    ['without facilitatorConfig', withoutFacilitatorConfig, 'facilitatorConfig is missing or not a path'],
    ['with a statusUrl that is not a string', { ...whole, statusUrl: 9465 }, 'statusUrl must be a URL'],
    ['with an unknown role', { ...whole, role: 'leader' }, 'role must be active or standby'],
  ];
  for (const [what, content, reason] of cases) {
    it(`reports a run file ${what} as corrupt with its path, and lists the others`, async function () {
      write(1406, content);
      write(1405, whole);
      const result = await list();
      expect(result.code).to.equal(1);
      expect(result.stderr.trim().split('\n')).to.deep.equal([
        `facilitator: the run file ${runFile(1406)} is corrupt (${reason}): if no facilitator runs for that chain (check with \`ps\`), delete it`,
      ]);
      const rows = result.stdout.trim().split('\n');
      expect(rows).to.have.length(2);
      expect(rows[1]).to.match(/^1405\s+4000000\s+stale\s+active\s+2024-05-01T10:00:00\.000Z\s+-$/);
    });
  }

  it('lists well-formed run files with exit 0', async function () {
    write(1405, { ...whole, statusUrl: 'http://127.0.0.1:9465/graphql' });
    const result = await list('--json');
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({ ...whole, statusUrl: 'http://127.0.0.1:9465/graphql', alive: false });
  });

  it('says nothing runs when there is no run file', async function () {
    const result = await list();
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal('no facilitator is running\n');
  });
});
