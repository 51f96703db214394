import { expect } from 'chai';
import { redactUrl } from '../../src/logging/redact-url';

describe('redactUrl', function () {
  it('hides the password of the userinfo, keeping the user', function () {
    expect(redactUrl('https://alice:s3cret@node.example:8545/rpc')).to.equal('https://alice:***@node.example:8545/rpc');
  });

  it('hides a key used as the user name', function () {
    expect(redactUrl('https://9aa3d95b3bc440fa88ea12eaa4456161@node.example/')).to.equal('https://***@node.example/');
  });

  it('hides every query-string value, keeping the names', function () {
    expect(redactUrl('https://node.example/rpc?apikey=abc123&network=main')).to.equal(
      'https://node.example/rpc?apikey=***&network=***',
    );
  });

  it('hides Infura and Alchemy keys in the path', function () {
    expect(redactUrl('https://mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161')).to.equal('https://mainnet.infura.io/v3/***');
    expect(redactUrl('wss://eth-mainnet.g.alchemy.com/v2/kP3xZq9rT7mN2bV5cX8w')).to.equal('wss://eth-mainnet.g.alchemy.com/v2/***');
  });

  it('hides a key-like path segment anywhere, such as The Graph gateway key', function () {
    expect(redactUrl('https://gateway.example/q/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6/subgraphs/name/mosaic')).to.equal(
      'https://gateway.example/q/***/subgraphs/name/mosaic',
    );
  });

  it('keeps readable paths such as subgraph names', function () {
    const url = 'http://127.0.0.1:8000/subgraphs/name/mosaic-auxiliary-1405';
    expect(redactUrl(url)).to.equal(url);
    expect(redactUrl('ws://localhost:8001/subgraphs/name/mosaic-origin-1405/graphql')).to.equal(
      'ws://localhost:8001/subgraphs/name/mosaic-origin-1405/graphql',
    );
    expect(redactUrl('http://127.0.0.1:8545')).to.equal('http://127.0.0.1:8545');
    expect(redactUrl('http://127.0.0.1:8545/')).to.equal('http://127.0.0.1:8545/');
  });

  it('drops the fragment', function () {
    expect(redactUrl('https://node.example/rpc#token=abc')).to.equal('https://node.example/rpc');
  });

  it('hides a string that is not a URL whole', function () {
    expect(redactUrl('9aa3d95b3bc440fa88ea12eaa4456161')).to.equal('[not a URL]');
  });
});
