/**
 * What every request to `/slack/events` passes before Bolt sees it:
 * - a body of at most `maxBodyBytes` (Slack's payloads are a few kB, a large
 *   message action some hundred kB), refused with 413 before it is buffered;
 * - a request timestamp within 5 minutes of the bot's clock, in the past as
 *   in the future (Bolt checks only the past), which bounds replays: inside
 *   the window, the deliveries ledger makes a replay do nothing;
 * - a body that parses to an object (Bolt 5.1 dies on a signed `null`).
 * Bolt then verifies the signature over the same buffered body.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Logger } from '../logger';
import type { PayloadKind } from '../metrics';
import { readLimitedBody, refuseTooLarge } from '../server/read-body';

/** Slack's rule for `X-Slack-Request-Timestamp`: five minutes either way. */
export const SLACK_TIMESTAMP_WINDOW_SECONDS = 5 * 60;
/** Far above any real Slack payload, far below what would hurt memory. */
export const DEFAULT_SLACK_BODY_LIMIT = 1024 * 1024;

function refuse(res: ServerResponse, status: number, error: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error }));
}

/** The payload Bolt will read from `body`, or undefined when it is not an object. */
function payloadOf(body: Buffer, contentType: string | undefined): unknown {
  const text = body.toString('utf8');
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const form = parseQuery(text);
      return typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
    }
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Which kind of Slack payload a request carries: the label of the ack latency (a few values, never an id). */
export function payloadKindOf(payload: Record<string, unknown>): PayloadKind {
  if (typeof payload.command === 'string') return 'command';
  switch (payload.type) {
    case 'block_actions':
    case 'interactive_message':
      return 'action';
    case 'view_submission':
    case 'view_closed':
      return 'view';
    case 'block_suggestion':
      return 'options';
    case 'event_callback':
    case 'url_verification':
      return 'event';
    case 'shortcut':
    case 'message_action':
      return 'shortcut';
    default:
      return 'other';
  }
}

export function guardSlackRequests(options: {
  listener: RequestListener;
  logger: Logger;
  maxBodyBytes?: number;
  /** The wall clock in ms: Slack signs with real time, whatever clock the bot's rules are given (Bolt checks against it too). */
  wallClockMs?: () => number;
  /** Told, once a request has been answered (acked), how long after its arrival, by payload kind: the metrics. */
  observeAck?: (kind: PayloadKind, seconds: number) => void;
}): RequestListener {
  const wallClockMs = options.wallClockMs ?? Date.now;
  const maxBytes = options.maxBodyBytes ?? DEFAULT_SLACK_BODY_LIMIT;
  const logger = options.logger.child({ module: 'slack-events' });
  const { observeAck } = options;
  return (req: IncomingMessage, res: ServerResponse) => {
    const arrivedAt = performance.now();
    void (async () => {
      const reading = await readLimitedBody(req, maxBytes);
      if (!reading.ok) {
        logger.warn({ limit: maxBytes }, 'a Slack request over the body limit was refused');
        refuseTooLarge(res, maxBytes);
        return;
      }
      const payload = payloadOf(reading.body, req.headers['content-type']);
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        refuse(res, 400, 'the body is not a Slack payload');
        return;
      }
      // Slack's SSL check is unsigned; Bolt answers it and strips anything else from it.
      const sslCheck = (payload as Record<string, unknown>).ssl_check === '1';
      const timestamp = Number(req.headers['x-slack-request-timestamp']);
      const skew = Math.abs(Math.floor(wallClockMs() / 1000) - timestamp);
      if (!sslCheck && !(Number.isFinite(timestamp) && skew <= SLACK_TIMESTAMP_WINDOW_SECONDS)) {
        logger.warn({ timestamp: req.headers['x-slack-request-timestamp'] }, 'a Slack request outside the 5-minute window was refused');
        refuse(res, 401, 'request timestamp outside the 5-minute window');
        return;
      }
      if (observeAck && !sslCheck) {
        const kind = payloadKindOf(payload as Record<string, unknown>);
        res.once('finish', () => observeAck(kind, (performance.now() - arrivedAt) / 1000));
      }
      // Bolt reads a body already buffered from `rawBody` (BufferedIncomingMessage) instead of the stream.
      options.listener(Object.assign(req, { rawBody: reading.body }), res);
    })().catch((error: unknown) => {
      logger.error({ err: error }, 'a Slack request could not be read');
      if (!res.headersSent) refuse(res, 400, 'could not read the request');
    });
  };
}
