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
import { boundedReadiness, type Readiness } from './readiness';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerOptions {
  logger: Logger;
  /** Answers `GET /readyz`: ready when the bot can serve (database reachable and migrated), else why not. */
  isReady: () => Promise<Readiness>;
  /** How long `/readyz` waits for `isReady` before answering 503 (default READY_TIMEOUT_MS); one check runs at a time. */
  readyTimeoutMs?: number;
  /** The 503's reason when `isReady` has not answered in time (default "readiness check not answering"). */
  notAnsweringReason?: string;
  /** Problems that do not make the bot unready but that `/readyz` reports (e.g. the announcement channel is unreachable). */
  readinessWarnings?: () => string[];
  /** Routes by exact path, e.g. `/slack/events` → Bolt's request listener. */
  routes: Record<string, RequestListener | RouteHandler>;
  /**
   * Told of every request from the moment its body has been received until its response is sent, so that
   * follow-up work lets acks go first (see `countOnceReceived`).
   */
  acksFirst?: AcksFirst;
  /**
   * Answers `GET /metrics` (Prometheus' text format, unauthenticated like the health checks: it holds counts,
   * never a token, a user or a channel). Without it, `/metrics` is a 404.
   */
  metrics?: { render(): Promise<string>; contentType: string };
}

export interface RunningHttpServer {
  port: number;
  url: string;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

/**
 * Slack sends a whole request at once and gives up on it after 3 s: a client
 * that takes longer to send its headers or its body is cut off, so that slow
 * clients cannot hold connections (and memory) for Node's defaults of 60 s
 * and 5 minutes. Checked every second.
 */
export const SERVER_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 10_000,
  connectionsCheckingInterval: 1_000,
  keepAliveTimeout: 5_000,
} as const;

/** `/readyz` answers within about this long, however the database behaves. */
export const READY_TIMEOUT_MS = 1000;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * Counts a request for `acksFirst` from the moment its body has been received (the request stream ends, as
 * the route reads it: `/slack/events` and `/github/webhooks` buffer theirs first) until its response is sent.
 * A request whose headers or body are still trickling in is not one the bot can ack yet: counted from its
 * arrival, one slow client would hold back every answer. A route that answers without reading the body (the
 * health checks, a 404, a 413) has no such moment before its answer and is not counted; `/readyz` waits
 * for the database, not for the event loop.
 */
function countOnceReceived(req: IncomingMessage, res: ServerResponse, acksFirst: AcksFirst): void {
  let answered = false;
  let done: (() => void) | undefined;
  res.once('close', () => {
    answered = true;
    done?.();
  });
  req.once('end', () => {
    if (!answered) done = acksFirst.requestOpened();
  });
}

/** `GET /metrics` (and HEAD); any other method is a 405 naming the allowed ones. */
function serveMetrics(req: IncomingMessage, res: ServerResponse, metrics: NonNullable<HttpServerOptions['metrics']>, logger: Logger): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'method not allowed: /metrics answers GET' }));
    return;
  }
  metrics.render().then(
    (text) => {
      res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
    },
    (error: unknown) => {
      logger.error({ err: error }, 'could not render /metrics');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    },
  );
}

/** Creates the server (not yet listening). */
export function createHttpServer(options: HttpServerOptions): http.Server {
  const logger = options.logger.child({ module: 'http' });
  const readiness = boundedReadiness({
    check: options.isReady,
    timeoutMs: options.readyTimeoutMs ?? READY_TIMEOUT_MS,
    notAnswering: options.notAnsweringReason ?? 'readiness check not answering',
  });
  return http.createServer({ ...SERVER_TIMEOUTS }, (req, res) => {
    if (options.acksFirst) countOnceReceived(req, res, options.acksFirst);
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (pathname === '/readyz' && (req.method === 'GET' || req.method === 'HEAD')) {
      readiness().then(
        ({ ready, reason }) => {
          const warnings = options.readinessWarnings?.() ?? [];
          const extra = { ...(reason && !ready ? { reason } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
          sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...extra });
        },
        (error: unknown) => {
          logger.warn({ err: error }, 'readiness check failed');
          sendJson(res, 503, { status: 'not ready', reason: 'readiness check failed' });
        },
      );
      return;
    }
    if (pathname === '/metrics' && options.metrics) {
      serveMetrics(req, res, options.metrics, logger);
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
