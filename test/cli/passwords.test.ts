import { expect } from 'chai';
import { workerPassword } from '../../src/cli/passwords';
import { environmentWithoutPasswords } from '../../src/config/keystore';

describe('worker passwords from the environment', function () {
  const address = '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed';
  const checksummed = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
  afterEach(() => {
    delete process.env[`MOSAIC_ADDRESS_PASSW_${address}`];
    delete process.env[`MOSAIC_ADDRESS_PASSW_${checksummed}`];
  });

  it('are deleted from process.env once read (every spelling of the address)', async function () {
    process.env[`MOSAIC_ADDRESS_PASSW_${address}`] = 'first';
    process.env[`MOSAIC_ADDRESS_PASSW_${checksummed}`] = 'second';
    expect(await workerPassword(address)).to.equal('first');
    expect(process.env[`MOSAIC_ADDRESS_PASSW_${address}`]).to.equal(undefined);
    expect(process.env[`MOSAIC_ADDRESS_PASSW_${checksummed}`]).to.equal(undefined);
  });

  it('are left out of the environment given to child processes (graph-cli)', function () {
    const env = environmentWithoutPasswords({ PATH: '/bin', [`MOSAIC_ADDRESS_PASSW_${address}`]: 'x', mosaic_address_passw_0xab: 'y', MOSAIC_HOME: '/h' });
    expect(env).to.deep.equal({ PATH: '/bin', MOSAIC_HOME: '/h' });
  });
});
