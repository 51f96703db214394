import { createServer, connect, type Server, type Socket } from 'node:net';

/** A loopback TCP proxy to a local port that a test can cut (refuse and drop connections) and restore. */
export interface TcpProxy {
  readonly port: number;
  url(path?: string): string;
  /** Drops every open connection and refuses new ones until restore(). */
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const newServer = () =>
    createServer((client) => {
      const upstream = connect(target.port, target.host);
      track(client);
      track(upstream);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

  let server: Server | undefined = newServer();
  const port = await listen(server, 0);
  return {
    port,
    url: (path = '') => `http://127.0.0.1:${port}${path}`,
    cut: async () => {
      const closing = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      if (closing) await closeServer(closing);
    },
    restore: async () => {
      if (server) return;
      server = newServer();
      await listen(server, port);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      if (server) await closeServer(server);
      server = undefined;
    },
  };
}
