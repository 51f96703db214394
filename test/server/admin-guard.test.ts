import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { adminGuard, isLoopback } from '../../src/server/admin-guard';

const TOKEN = 'ab'.repeat(32);

/** A request as the guard sees it: the peer's address, the method and the headers. */
function requestFrom(remoteAddress: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }, method = 'POST'): IncomingMessage {
  return { socket: { remoteAddress }, headers, method } as unknown as IncomingMessage;
}

describe('admin guard', () => {
  it('knows loopback addresses: 127.0.0.0/8, ::1, IPv4-mapped 127.x, localhost; nothing else', () => {
    const loopback = ['127.0.0.1', '127.8.9.10', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost'];
    const others = ['10.0.0.5', '0.0.0.0', '::', '::ffff:10.0.0.5', '192.168.1.2', 'example.com', '', undefined];
    expect(loopback.filter((a) => !isLoopback(a))).to.deep.equal([]);
    expect(others.filter((a) => isLoopback(a))).to.deep.equal([]);
  });

  it('lets through a loopback POST with the token, from a server bound to loopback', () => {
    expect(adminGuard({ listenHost: '127.0.0.1', token: TOKEN })(requestFrom('127.0.0.1'))).to.equal(undefined);
    expect(adminGuard({ listenHost: '::1', token: TOKEN })(requestFrom('::1'))).to.equal(undefined);
  });

  it('refuses a client that is not on this machine (403), even with the token', () => {
    expect(adminGuard({ listenHost: '127.0.0.1', token: TOKEN })(requestFrom('10.0.0.5'))).to.deep.equal({
      status: 403,
      error: 'admin actions are served only to clients on this machine (loopback)',
    });
  });

  it('refuses everything when the server listens on a non-loopback address (403), loopback client or not', () => {
    for (const listenHost of ['0.0.0.0', '::', '10.0.0.1']) {
      expect(adminGuard({ listenHost, token: TOKEN })(requestFrom('127.0.0.1'))?.status, listenHost).to.equal(403);
    }
  });

  it('refuses a missing, malformed or wrong token (401) and a GET (405), never naming the token', () => {
    const guard = adminGuard({ listenHost: '127.0.0.1', token: TOKEN });
    const refusals = [
      guard(requestFrom('127.0.0.1', {})),
      guard(requestFrom('127.0.0.1', { authorization: TOKEN })),
      guard(requestFrom('127.0.0.1', { authorization: `Bearer ${TOKEN.slice(1)}` })),
      guard(requestFrom('127.0.0.1', { authorization: `Bearer ${TOKEN}0` })),
      guard(requestFrom('127.0.0.1', undefined, 'GET')),
    ];
    expect(refusals.map((r) => r?.status)).to.deep.equal([401, 401, 401, 401, 405]);
    for (const refusal of refusals) expect(refusal!.error).not.to.contain(TOKEN.slice(0, 16));
  });
});
