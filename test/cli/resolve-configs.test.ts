import { expect } from 'chai';
import { checkChainIds } from '../../src/cli/resolve-configs';
import { parseFacilitatorConfig } from '../../src/config/facilitator-config';
import { facilitatorConfig, makeWorkers, ORIGIN_CHAIN_ID } from '../config/config-fixtures';

describe('RPC URLs in errors', function () {
  const key = '9aa3d95b3bc440fa88ea12eaa4456161';

  it('an RPC that does not answer is named with its key and password hidden', async function () {
    const plain = facilitatorConfig(await makeWorkers()) as { chains: Record<string, { rpc: string }> };
    plain.chains[String(ORIGIN_CHAIN_ID)].rpc = `http://op:hunter2@127.0.0.1:1/v3/${key}`;
    const config = parseFacilitatorConfig(plain, 'facilitator-config test');
    let message = '';
    try {
      await checkChainIds(config);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.contain('RPC http://op:***@127.0.0.1:1/v3/*** does not answer');
    expect(message).not.to.contain(key).and.not.to.contain('hunter2');
  });

  it('a malformed RPC URL in a config is shown redacted', async function () {
    const plain = facilitatorConfig(await makeWorkers()) as { chains: Record<string, { rpc: string }> };
    plain.chains[String(ORIGIN_CHAIN_ID)].rpc = `htp://mainnet.infura.io/v3/${key}`;
    let message = '';
    try {
      parseFacilitatorConfig(plain, 'facilitator-config test');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.contain('chains.1337.rpc: must be the JSON-RPC URL');
    expect(message).to.contain('htp://mainnet.infura.io/v3/***');
    expect(message).not.to.contain(key);
  });
});
