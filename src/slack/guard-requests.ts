/**
 * What every request to `/slack/events` passes before Bolt sees it, cheapest
 * refusal first, so that an unsigned request costs neither memory nor a parse:
 * - a body announced (Content-Length) over `maxBodyBytes`: 413 at once;
 * - signature headers (`X-Slack-Signature`, `X-Slack-Request-Timestamp`) of the
 *   right shape, with a timestamp within 5 minutes of the bot's clock, in the
 *   past as in the future (Bolt checks only the past): else 401 at once,
 *   before a byte of the body is read. The window bounds replays: inside it,
 *   the deliveries ledger makes a replay do nothing. Slack's SSL check alone
 *   comes unsigned (`ssl_check=1&token=…`, a few dozen bytes): a small form
 *   body without headers is read (at most SSL_CHECK_MAX_BYTES) to recognise
 *   it, and answered here, 200 and nothing else: Bolt never sees it (with
 *   whatever else such a body carries, e.g. a forged `payload`);
 * - a body of at most `maxBodyBytes` (Slack's payloads are a few kB, a large
 *   message action some hundred kB), refused with 413 before it is buffered;
 * - the signature (HMAC-SHA256 of `v0:<timestamp>:<raw body>`) checked over
 *   the raw bytes before anything parses them: else 401;
 * - a body that parses to an object (Bolt 5.1 dies on a signed `null`): else 400.
 * Bolt then reads the same buffered body without checking the signature again
 * (create-bolt.ts): this guard is its one way in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Logger } from '../logger';
import type { PayloadKind } from '../metrics';
import { readLimitedBody, refuseTooLarge } from '../server/read-body';

/** Slack's rule for `X-Slack-Request-Timestamp`: five minutes either way. */
export const SLACK_TIMESTAMP_WINDOW_SECONDS = 5 * 60;
/** Far above any real Slack payload, far below what would hurt memory. */
export const DEFAULT_SLACK_BODY_LIMIT = 1024 * 1024;
/** Slack's SSL check (`ssl_check=1&token=<verification token>`) is about 40 bytes: an unsigned body larger than this is not one. */
export const SSL_CHECK_MAX_BYTES = 256;

/** Refuses and closes the connection: the body (if any) is never read. */
function refuse(res: ServerResponse, status: number, error: string): void {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error }));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The signature headers, when both are there and of the right shape (`v0=<64 hex>`, whole seconds). */
function signatureHeaders(req: IncomingMessage): { timestamp: number; signature: Buffer } | null {
  const timestamp = header(req, 'x-slack-request-timestamp') ?? '';
  const signature = /^v0=([0-9a-f]{64})$/i.exec(header(req, 'x-slack-signature') ?? '')?.[1];
  if (!/^\d{1,12}$/.test(timestamp) || signature === undefined) return null;
  return { timestamp: Number(timestamp), signature: Buffer.from(signature, 'hex') };
}

/** True when `signature` is Slack's HMAC of the raw `body` at `timestamp` with `secret`. Timing-safe. */
export function verifySlackSignature(options: { secret: string; timestamp: number; body: Buffer; signature: Buffer }): boolean {
  const expected = createHmac('sha256', options.secret).update(`v0:${options.timestamp}:`).update(options.body).digest();
  return options.signature.length === expected.length && timingSafeEqual(options.signature, expected);
}

/** Whether an unsigned request may be Slack's SSL check: a small form body (announced so), nothing else. */
function maybeSslCheck(req: IncomingMessage): boolean {
  const length = Number(header(req, 'content-length'));
  const form = (header(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded');
  return form && Number.isInteger(length) && length > 0 && length <= SSL_CHECK_MAX_BYTES;
}

/** A form field's name at the start of the form or after an `&` (names and values are URL-encoded: no `&` or `=` inside). */
const PAYLOAD_FIELD = /(?:^|&)payload=/;
const COMMAND_FIELD = /(?:^|&)command=/;
/** A field name with a percent-escape (`%70ayload` is `payload` once decoded): such a form is parsed whole. */
const ENCODED_FIELD_NAME = /(?:^|&)[^=&]*%/;

/**
 * The kind of payload Bolt will read from `body`, or undefined when it is not
 * an object. A form without a `payload` field (a slash command) is an object
 * whatever its fields: it is not parsed here (Bolt parses it).
 */
function kindOfBody(body: Buffer, contentType: string | undefined): PayloadKind | undefined {
  const text = body.toString('utf8');
  let payload: unknown;
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      if (!PAYLOAD_FIELD.test(text) && !ENCODED_FIELD_NAME.test(text)) return COMMAND_FIELD.test(text) ? 'command' : 'other';
      const form = parseQuery(text);
      payload = typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
    } else payload = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  return payloadKindOf(payload as Record<string, unknown>);
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
  /** Slack's signing secret: the signature is checked here, over the raw bytes, before anything is parsed. */
  signingSecret: string;
  maxBodyBytes?: number;
  /** The wall clock in ms: Slack signs with real time, whatever clock the bot's rules are given (Bolt checks against it too). */
  wallClockMs?: () => number;
  /** Told, once a request has been answered (acked), how long after its arrival, by payload kind: the metrics. */
  observeAck?: (kind: PayloadKind, seconds: number) => void;
}): RequestListener {
  const wallClockMs = options.wallClockMs ?? Date.now;
  const maxBytes = options.maxBodyBytes ?? DEFAULT_SLACK_BODY_LIMIT;
  const logger = options.logger.child({ module: 'slack-events' });
  const { observeAck, signingSecret } = options;

  /** Slack's SSL check, unsigned: answered here as Bolt would (200, no body), never handed on; any other unsigned body is refused. */
  async function sslCheckOrRefuse(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reading = await readLimitedBody(req, SSL_CHECK_MAX_BYTES);
    if (reading.ok && parseQuery(reading.body.toString('utf8')).ssl_check === '1') {
      res.writeHead(200);
      res.end();
      return;
    }
    logger.warn('an unsigned Slack request was refused');
    refuse(res, 401, 'missing signature headers (x-slack-signature, x-slack-request-timestamp)');
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    const arrivedAt = performance.now();
    void (async () => {
      // A body announced over the limit is refused as such, signed or not: the one header that says so is enough.
      if (Number(header(req, 'content-length')) > maxBytes) {
        logger.warn({ limit: maxBytes }, 'a Slack request announced over the body limit was refused');
        refuseTooLarge(res, maxBytes);
        return;
      }
      const signed = signatureHeaders(req);
      if (signed === null) {
        if (maybeSslCheck(req)) return sslCheckOrRefuse(req, res);
        logger.warn('a Slack request without its signature headers was refused before its body was read');
        refuse(res, 401, 'missing signature headers (x-slack-signature, x-slack-request-timestamp)');
        return;
      }
      if (Math.abs(Math.floor(wallClockMs() / 1000) - signed.timestamp) > SLACK_TIMESTAMP_WINDOW_SECONDS) {
        logger.warn({ timestamp: signed.timestamp }, 'a Slack request outside the 5-minute window was refused before its body was read');
        refuse(res, 401, 'request timestamp outside the 5-minute window');
        return;
      }
      const reading = await readLimitedBody(req, maxBytes);
      if (!reading.ok) {
        logger.warn({ limit: maxBytes }, 'a Slack request over the body limit was refused');
        refuseTooLarge(res, maxBytes);
        return;
      }
      if (!verifySlackSignature({ secret: signingSecret, timestamp: signed.timestamp, body: reading.body, signature: signed.signature })) {
        logger.warn('a Slack request with a wrong signature was refused before its body was parsed');
        refuse(res, 401, 'bad signature');
        return;
      }
      const kind = kindOfBody(reading.body, header(req, 'content-type'));
      if (kind === undefined) {
        refuse(res, 400, 'the body is not a Slack payload');
        return;
      }
      if (observeAck) res.once('finish', () => observeAck(kind, (performance.now() - arrivedAt) / 1000));
      // Bolt reads a body already buffered from `rawBody` (BufferedIncomingMessage) instead of the stream.
      options.listener(Object.assign(req, { rawBody: reading.body }), res);
    })().catch((error: unknown) => {
      logger.error({ err: error }, 'a Slack request could not be read');
      if (!res.headersSent) refuse(res, 400, 'could not read the request');
    });
  };
}
