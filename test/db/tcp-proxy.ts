/**
 * A loopback TCP proxy in front of PostgreSQL that a test switches between
 * three behaviours, to stage a database outage:
 * - `pass`: connections are piped to the database;
 * - `hang`: connections are accepted and never answered (a database that stopped answering, a black-holed network);
 * - `refuse`: the port stops listening (connection refused), as when PostgreSQL is down.
 * Switching mode cuts the connections already open (as a restart of the database would), so that pooled
 * connections do not keep working through an "outage".
 */
import net from 'node:net';

export type ProxyMode = 'pass' | 'hang' | 'refuse';

export interface TcpProxy {
  port: number;
  mode: ProxyMode;
  /** Connections accepted since the start (hanging ones included). */
  accepted: number;
  setMode(mode: ProxyMode): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(options: { targetHost: string; targetPort: number; mode?: ProxyMode }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let mode: ProxyMode = options.mode ?? 'pass';
  let port = 0;
  let accepted = 0;
  const track = (socket: net.Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    // A reset while the other side is gone is expected here.
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer((client) => {
    accepted += 1;
    track(client);
    if (mode !== 'pass') return; // hang: accepted, never answered
    const upstream = net.connect({ host: options.targetHost, port: options.targetPort });
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const cutAll = () => {
    for (const socket of open) socket.destroy();
  };
  if (mode !== 'refuse') await listen();
  else {
    await listen();
    await stopListening();
  }
  return {
    get port() {
      return port;
    },
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    async setMode(next) {
      if (next === mode) return;
      const wasListening = mode !== 'refuse';
      mode = next;
      cutAll();
      if (next === 'refuse' && wasListening) await stopListening();
      if (next !== 'refuse' && !wasListening) await listen();
    },
    async close() {
      cutAll();
      if (mode !== 'refuse') await stopListening();
    },
  };
}
