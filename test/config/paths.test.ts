import { expect } from 'chai';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultDatabasePath, defaultFacilitatorConfigPath, defaultMosaicConfigPath, mosaicHome } from '../../src/config/paths';

describe('default paths', function () {
  const saved = process.env.MOSAIC_HOME;
  afterEach(() => {
    if (saved === undefined) delete process.env.MOSAIC_HOME;
    else process.env.MOSAIC_HOME = saved;
  });

  it('live under ~/.mosaic/<aux-chain-id>/', function () {
    delete process.env.MOSAIC_HOME;
    expect(mosaicHome()).to.equal(join(homedir(), '.mosaic'));
    expect(defaultFacilitatorConfigPath(1405)).to.equal(join(homedir(), '.mosaic', '1405', 'facilitator-config.json'));
    expect(defaultDatabasePath(1405)).to.equal(join(homedir(), '.mosaic', '1405', 'facilitator.sqlite'));
  });

  it('follow MOSAIC_HOME when set and not empty', function () {
    process.env.MOSAIC_HOME = '/tmp/elsewhere';
    expect(defaultDatabasePath(7)).to.equal('/tmp/elsewhere/7/facilitator.sqlite');
    expect(defaultMosaicConfigPath(7)).to.equal('/tmp/elsewhere/7/mosaic.json');
    process.env.MOSAIC_HOME = '';
    expect(mosaicHome()).to.equal(join(homedir(), '.mosaic'));
  });
});
