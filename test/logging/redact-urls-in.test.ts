import { expect } from 'chai';
import { redactUrl as redactRpcUrl, redactUrlsIn } from '../../src/logging/redact-url';

describe('RPC URLs in errors', () => {
  it('hides userinfo, query values and key-like path segments, keeping scheme, host, port and readable path', () => {
    expect(redactRpcUrl('https://mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161')).to.equal('https://mainnet.infura.io/v3/***');
    expect(redactRpcUrl('https://eth-mainnet.g.alchemy.com/v2/Ab3dE5fG7hI9jK1lM3nO5pQ7')).to.equal('https://eth-mainnet.g.alchemy.com/v2/***');
    expect(redactRpcUrl('http://user:secret@node.example:8545/rpc?apikey=s3cr3t&x=1')).to.equal('http://user:***@node.example:8545/rpc?apikey=***&x=***');
    expect(redactRpcUrl('http://127.0.0.1:8545')).to.equal('http://127.0.0.1:8545');
    expect(redactRpcUrl('http://graph.example/subgraphs/name/mosaic-auxiliary-1405')).to.equal('http://graph.example/subgraphs/name/mosaic-auxiliary-1405');
    expect(redactRpcUrl('not a url 9aa3d95b3bc440fa')).to.equal('[not a URL]');
  });

  it('redacts every URL inside a text', () => {
    expect(redactUrlsIn('fetch failed: connect ECONNREFUSED (https://x.example/v3/9aa3d95b3bc440fa88ea12eaa4456161)')).to.equal(
      'fetch failed: connect ECONNREFUSED (https://x.example/v3/***)',
    );
  });
});
