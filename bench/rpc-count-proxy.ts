import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/**
 * A loopback HTTP proxy in front of a JSON-RPC node that counts the methods called through it (batches
 * too): put between the facilitator process and a devnet chain, it counts the facilitator's RPC calls.
 * WebSocket upgrades (newHeads subscriptions) are passed through unread, counted as `websocket`.
 */
export interface RpcCountProxy {
  url: string;
  counts(): Map<string, number>;
  close(): Promise<void>;
}

function countBody(body: string, counts: Map<string, number>): void {
  try {
    const parsed = JSON.parse(body) as { method?: string } | Array<{ method?: string }>;
    for (const call of Array.isArray(parsed) ? parsed : [parsed]) {
      const method = String(call.method ?? 'unknown');
      counts.set(method, (counts.get(method) ?? 0) + 1);
    }
  } catch {
    counts.set('unparsable', (counts.get('unparsable') ?? 0) + 1);
  }
}

/** Replays the upgrade request to the node and then pipes both ways. */
function passUpgrade(target: URL, req: IncomingMessage, socket: Socket, head: Buffer): void {
  const upstream = connect(Number(target.port), target.hostname, () => {
    const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      lines.push(`${name}: ${name.toLowerCase() === 'host' ? target.host : req.rawHeaders[i + 1]}`);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    upstream.write(head);
    socket.pipe(upstream).pipe(socket);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
}

export async function startRpcCountProxy(targetUrl: string): Promise<RpcCountProxy> {
  const target = new URL(targetUrl);
  const counts = new Map<string, number>();
  const upgraded = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      countBody(body.toString(), counts);
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
        (answer: IncomingMessage) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    counts.set('websocket', (counts.get('websocket') ?? 0) + 1);
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    passUpgrade(target, req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => new Map(counts),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Calls per method between two snapshots of counts, summed over both chains' proxies, most frequent first. */
export function countsBetween(before: Map<string, number>[], after: Map<string, number>[], sides: string[]): Record<string, number> {
  const delta: Array<[string, number]> = [];
  after.forEach((counts, i) => {
    for (const [method, n] of counts) {
      const d = n - (before[i].get(method) ?? 0);
      if (d > 0) delta.push([`${sides[i]}.${method}`, d]);
    }
  });
  return Object.fromEntries(delta.sort((a, b) => b[1] - a[1]));
}
