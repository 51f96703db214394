import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { isAdminToken } from '../config/admin-token';

/*
 * Who may call the admin actions (retry, abandon, resync). Three locks, all required:
 *  - the server listens on a loopback address: a status API bound to 0.0.0.0 or a public address (to be
 *    scraped from elsewhere) serves no admin action at all, so exposing it never exposes them;
 *  - the request comes from a loopback address (another process of this machine);
 *  - it carries `Authorization: Bearer <token>`, the token of the 0600 admin-token file, compared in
 *    constant time. Only processes that can read that file (its owner) can act.
 * The Origin/Host guard (http-guards.ts) runs before, so a web page cannot call it either.
 */

export interface AdminRefusal {
  status: 401 | 403 | 405;
  error: string;
}

/** 127.0.0.0/8, ::1 and `localhost`; IPv4-mapped IPv6 (::ffff:127.0.0.1) as the IPv4 address. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.toLowerCase().replace(/^\[|\]$/g, '').replace(/^::ffff:/, '');
  if (plain === 'localhost' || plain === '::1') return true;
  return isIP(plain) === 4 && plain.startsWith('127.');
}

/** The bearer token of a request, if it has one. */
function bearerOf(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/**
 * A check returning why an admin request is refused (status and one line, never the token presented),
 * or undefined when allowed.
 */
export function adminGuard(options: { listenHost: string; token: string }): (req: IncomingMessage) => AdminRefusal | undefined {
  const boundToLoopback = isLoopback(options.listenHost);
  return (req) => {
    if (!boundToLoopback) {
      return { status: 403, error: `admin actions are served only when the status API listens on loopback (127.0.0.1 or ::1); it listens on ${options.listenHost}` };
    }
    if (!isLoopback(req.socket.remoteAddress)) return { status: 403, error: 'admin actions are served only to clients on this machine (loopback)' };
    if (req.method !== 'POST') return { status: 405, error: 'admin actions are GraphQL mutations: POST them' };
    const presented = bearerOf(req);
    if (presented === undefined) {
      return { status: 401, error: 'admin actions need Authorization: Bearer <token>, the token in the admin-token file beside the facilitator-config' };
    }
    if (!isAdminToken(presented, options.token)) return { status: 401, error: 'admin token refused: use the one in the admin-token file beside the facilitator-config' };
    return undefined;
  };
}
