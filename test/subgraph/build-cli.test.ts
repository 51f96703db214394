import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBuildArgs } from '../../src/subgraph/build-cli';
import { sampleMosaicConfig } from './built-subgraphs';

describe('subgraph:build command line', () => {
  it('parses the deployment options', () => {
    expect(parseBuildArgs([])).to.deep.equal({});
    expect(parseBuildArgs(['--out', '/tmp/x'])).to.deep.equal({ out: '/tmp/x' });
    expect(parseBuildArgs(['--mosaic-config', 'm.json', '--aux-chain-id', '1405', '--out', 'o'])).to.deep.equal({
      mosaicConfig: 'm.json',
      auxChainId: 1405,
      out: 'o',
    });
  });

  it('refuses incomplete or unknown options', () => {
    expect(() => parseBuildArgs(['--mosaic-config', 'm.json'])).to.throw('--mosaic-config and --aux-chain-id go together');
    expect(() => parseBuildArgs(['--aux-chain-id', 'abc'])).to.throw('--aux-chain-id must be a chain id, got abc');
    expect(() => parseBuildArgs(['--out'])).to.throw('--out needs a value');
    expect(() => parseBuildArgs(['--network', 'x'])).to.throw('unknown option --network');
  });

  it('exits with 1 and says why when the mosaic-config does not have the chain', function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'subgraph-cli-'));
    try {
      const config = join(dir, 'mosaic.json');
      writeFileSync(config, JSON.stringify(sampleMosaicConfig()));
      const run = (...args: string[]) =>
        spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../../src/subgraph/build-cli.ts'), ...args], { encoding: 'utf8', timeout: 25_000 });
      const missingChain = run('--mosaic-config', config, '--aux-chain-id', '77', '--out', join(dir, 'out'));
      expect(missingChain.status).to.equal(1);
      expect(missingChain.stderr).to.contain('mosaic-config has no auxiliary chain 77 (it has: 1405)');
      const badArgs = run('--aux-chain-id', '77');
      expect(badArgs.status).to.equal(1);
      expect(badArgs.stderr).to.contain('usage: subgraph:build');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
