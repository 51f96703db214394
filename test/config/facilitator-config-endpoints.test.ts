import { expect } from 'chai';
import { parseFacilitatorConfig } from '../../src/config/facilitator-config';
import { ConfigError } from '../../src/config/validation';
import { AUX_CHAIN_ID, clone, facilitatorConfig, makeWorkers, ORIGIN_CHAIN_ID, type Workers } from './config-fixtures';

type Plain = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary JSON

const KEY = '9aa3d95b3bc440fa88ea12eaa4456161';

describe('facilitator-config: several RPC and subgraph endpoints', function () {
  let workers: Workers;
  before(async function () {
    workers = await makeWorkers();
  });

  const parsed = (plain: Plain) => parseFacilitatorConfig(plain, 'facilitator-config test');
  function problem(plain: Plain): string {
    try {
      parsed(plain);
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected the config to be rejected');
  }

  it('takes one URL (a list of one after loading) or a list by preference', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    plain.chains[ORIGIN_CHAIN_ID].rpc = ['https://a.example/v3/' + KEY, 'http://127.0.0.1:8545'];
    plain.chains[ORIGIN_CHAIN_ID].ws = 'wss://a.example/ws';
    plain.chains[ORIGIN_CHAIN_ID].maxLagBlocks = 3;
    plain.chains[ORIGIN_CHAIN_ID].healthCheckIntervalMs = 2000;
    plain.chains[AUX_CHAIN_ID].subgraph.http = ['http://g1/subgraphs/name/x', 'http://g2/subgraphs/name/x'];
    plain.chains[AUX_CHAIN_ID].subgraph.ws = ['ws://g1/subgraphs/name/x', 'ws://g2/subgraphs/name/x'];
    const config = parsed(plain);
    const origin = config.chains[String(ORIGIN_CHAIN_ID)];
    expect(origin.rpc).to.deep.equal(['https://a.example/v3/' + KEY, 'http://127.0.0.1:8545']);
    expect(origin.ws).to.deep.equal(['wss://a.example/ws']);
    expect(origin).to.include({ maxLagBlocks: 3, healthCheckIntervalMs: 2000 });
    expect(config.chains[String(AUX_CHAIN_ID)].rpc).to.have.length(1);
    expect(config.chains[String(AUX_CHAIN_ID)].subgraph.http).to.have.length(2);
  });

  it('names a bad entry of a list by its index, in one line, with its key hidden', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    plain.chains[ORIGIN_CHAIN_ID].rpc = ['http://127.0.0.1:8545', `htp://mainnet.example/v3/${KEY}`];
    const message = problem(plain);
    expect(message).to.equal(
      'facilitator-config test: chains.1337.rpc.1: must be the JSON-RPC URL, http(s)://host:port, or a list of them by preference (got "htp://mainnet.example/v3/***")',
    );
  });

  it('refuses an empty list, a duplicate, a non-string and a ws URL that is not ws(s)://', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    plain.chains[ORIGIN_CHAIN_ID].rpc = [];
    plain.chains[AUX_CHAIN_ID].rpc = ['http://a:1', 'http://a:1', 7];
    plain.chains[AUX_CHAIN_ID].ws = 'http://a:1';
    plain.chains[AUX_CHAIN_ID].subgraph.http = ['ftp://g'];
    const message = problem(plain);
    expect(message).to.contain('chains.1337.rpc: must be the JSON-RPC URL, http(s)://host:port, or a list of them by preference (got an empty list)');
    expect(message).to.contain('chains.1405.rpc.1: "http://a:1" is listed twice');
    expect(message).to.contain('chains.1405.rpc.2: must be the JSON-RPC URL, http(s)://host:port, or a list of them by preference (got 7)');
    expect(message).to.contain('chains.1405.ws: must be a ws(s):// URL, or a list of them by preference (got "http://a:1")');
    expect(message).to.contain('chains.1405.subgraph.http.0: must be the subgraph query URL');
  });

  it('wants one subgraph ws URL per graph-node when several are listed', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    plain.chains[AUX_CHAIN_ID].subgraph.http = ['http://g1/subgraphs/name/x', 'http://g2/subgraphs/name/x', 'http://g3/subgraphs/name/x'];
    plain.chains[AUX_CHAIN_ID].subgraph.ws = ['ws://g1/subgraphs/name/x', 'ws://g2/subgraphs/name/x'];
    expect(problem(plain)).to.equal(
      'facilitator-config test: chains.1405.subgraph.ws: lists 2 URLs for 3 subgraph.http URLs: list one per graph-node, in the same order',
    );
  });

  it('refuses a bad maxLagBlocks or healthCheckIntervalMs', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    plain.chains[ORIGIN_CHAIN_ID].maxLagBlocks = -1;
    plain.chains[ORIGIN_CHAIN_ID].healthCheckIntervalMs = 'often';
    const message = problem(plain);
    expect(message).to.contain('chains.1337.maxLagBlocks:');
    expect(message).to.contain('chains.1337.healthCheckIntervalMs: must be a whole number of milliseconds');
  });

  it('a missing rpc says a list is accepted too', function () {
    const plain: Plain = clone(facilitatorConfig(workers));
    delete plain.chains[ORIGIN_CHAIN_ID].rpc;
    expect(problem(plain)).to.equal(
      'facilitator-config test: chains.1337.rpc: is missing (must be the JSON-RPC URL, http(s)://host:port, or a list of them by preference)',
    );
  });
});
