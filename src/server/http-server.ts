/**
 * The bot's HTTP server: Slack's requests (`POST /slack/events`, handled by
 * Bolt's receiver with signature verification), the health checks, and room
 * for more endpoints. Owning the server lets the bot stop taking requests and
 * finish those in flight on SIGTERM, in HTTP and Socket Mode alike.
 */
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger';
import type { AcksFirst } from './acks-first';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerOptions {
  logger: Logger;
  /** Answers `GET /readyz`: true when the bot can serve (database reachable and migrated). */
  isReady: () => Promise<boolean>;
  /** Problems that do not make the bot unready but that `/readyz` reports (e.g. the announcement channel is unreachable). */
  readinessWarnings?: () => string[];
  /** Routes by exact path, e.g. `/slack/events` → Bolt's request listener. */
  routes: Record<string, RequestListener | RouteHandler>;
  /** Told of every request from its arrival until its response is sent, so that follow-up work lets acks go first. */
  acksFirst?: AcksFirst;
}

export interface RunningHttpServer {
  port: number;
  url: string;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Creates the server (not yet listening). */
export function createHttpServer(options: HttpServerOptions): http.Server {
  const logger = options.logger.child({ module: 'http' });
  return http.createServer((req, res) => {
    if (options.acksFirst) res.once('close', options.acksFirst.requestOpened());
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (pathname === '/readyz' && (req.method === 'GET' || req.method === 'HEAD')) {
      options.isReady().then(
        (ready) => {
          const warnings = options.readinessWarnings?.() ?? [];
          sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...(warnings.length > 0 ? { warnings } : {}) });
        },
        (error: unknown) => {
          logger.warn({ err: error }, 'readiness check failed');
          sendJson(res, 503, { status: 'not ready' });
        },
      );
      return;
    }
    const route = options.routes[pathname];
    if (!route) {
      sendJson(res, 404, { error: 'not found' });
      return;
    }
    Promise.resolve(route(req, res)).catch((error: unknown) => {
      logger.error({ err: error, path: pathname }, 'request handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    });
  });
}

/** Starts listening on `port` (0 picks a free one) on all interfaces, or `host` when given. */
export async function listen(server: http.Server, port: number, host?: string): Promise<RunningHttpServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections with no request in flight would hold close() open.
        server.closeIdleConnections();
      }),
  };
}
