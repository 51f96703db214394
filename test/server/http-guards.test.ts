import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { requestGuard } from '../../src/server/http-guards';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('requestGuard (Origin/Host allow-list)', function () {
  it('on loopback: allows loopback origins and hosts and clients without Origin; refuses other origins and rebound hosts', function () {
    const guard = requestGuard({ listenHost: '127.0.0.1' });
    expect(guard(request({ host: '127.0.0.1:9465' }))).to.equal(undefined);
    expect(guard(request({ host: 'localhost:9465', origin: 'http://localhost:9465' }))).to.equal(undefined);
    expect(guard(request({ host: '[::1]:9465', origin: 'http://[::1]:9465' }))).to.equal(undefined);
    expect(guard(request({ host: '127.0.0.1:9465', origin: 'http://evil.example' }))).to.contain('cross-origin request from "http://evil.example" refused');
    expect(guard(request({ host: 'evil.example:9465' }))).to.contain('Host "evil.example:9465" refused');
    expect(guard(request({ host: '127.0.0.1:9465', origin: 'null' }))).to.contain('is not a URL');
  });

  it('allows configured host names', function () {
    const guard = requestGuard({ listenHost: '127.0.0.1', allowedHosts: ['facilitator.internal'] });
    expect(guard(request({ host: 'facilitator.internal:9465', origin: 'https://facilitator.internal' }))).to.equal(undefined);
  });

  it('on a wildcard address: any Host, same-origin pages allowed, other origins refused', function () {
    const guard = requestGuard({ listenHost: '0.0.0.0' });
    expect(guard(request({ host: '10.0.0.5:9465' }))).to.equal(undefined);
    expect(guard(request({ host: '10.0.0.5:9465', origin: 'http://10.0.0.5:9465' }))).to.equal(undefined);
    expect(guard(request({ host: '10.0.0.5:9465', origin: 'http://evil.example' }))).to.contain('refused');
  });
});
