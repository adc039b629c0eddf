// GitHub's webhooks: `POST /github/webhooks`, signed with the webhook's secret
// (`X-Hub-Signature-256`, HMAC-SHA256 of the raw body: a request without it
// is refused before its body is read, a wrong one before its body is parsed),
// answered at once; the
// events the bot uses (`workflow_run`, `check_run`, `check_suite`, `status`) are parsed into the
// adapter's plain data and handed over. Knows nothing of the features.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { readLimitedBody, refuseTooLarge } from '../server/read-body';
import type { CheckRunSummary, CommitStatusSummary, WorkflowRunSummary } from './releases';

/** GitHub sends up to 25 MB, but the events the bot subscribes to are a few kB: anything near a megabyte is not one of them. */
export const MAX_BODY_BYTES = 1024 * 1024;

export type GitHubEvent =
  | { kind: 'workflow_run'; action: string; repository: string; workflowPath: string; run: WorkflowRunSummary }
  | { kind: 'check_run'; action: string; repository: string; checkRun: CheckRunSummary }
  /** A check suite (all of one app's checks on a commit) requested, re-requested or completed on `headSha`. */
  | { kind: 'check_suite'; action: string; repository: string; headSha: string; status: string | null; conclusion: string | null }
  /** A commit status (`ci/circleci: …`) set on `sha`; GitHub's `status` event has no action. */
  | { kind: 'status'; repository: string; sha: string; status: CommitStatusSummary }
  /** A tag created (`create`, no commit given: `sha` null) or pushed (`push` of `refs/tags/…`: the commit it points at). */
  | { kind: 'tag'; repository: string; tag: string; sha: string | null }
  | { kind: 'other'; name: string };

/** The digest an `X-Hub-Signature-256` header carries (`sha256=<64 hex>`), or null when it is missing or malformed. */
function signatureDigest(signature: string | undefined): string | null {
  return /^sha256=([0-9a-f]{64})$/i.exec(signature ?? '')?.[1] ?? null;
}

/** True when `signature` (the `X-Hub-Signature-256` header) signs `body` with `secret`. Timing-safe. */
export function verifyWebhookSignature(options: { secret: string; body: Buffer; signature: string | undefined }): boolean {
  const digest = signatureDigest(options.signature);
  if (digest === null) return false;
  const expected = createHmac('sha256', options.secret).update(options.body).digest();
  const given = Buffer.from(digest, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Reads an event's payload; `other` for events (or shapes) the bot does not use. */
export function parseWebhookEvent(name: string, payload: unknown): GitHubEvent {
  const body = record(payload);
  const repository = text(record(body.repository).full_name) ?? '';
  const action = text(body.action) ?? '';
  if (name === 'workflow_run') {
    const run = record(body.workflow_run);
    if (typeof run.id !== 'number' || !text(run.head_sha)) return { kind: 'other', name };
    return {
      kind: 'workflow_run',
      action,
      repository,
      workflowPath: text(run.path) ?? '',
      run: {
        id: run.id,
        status: text(run.status) ?? 'queued',
        conclusion: text(run.conclusion),
        htmlUrl: text(run.html_url) ?? '',
        createdAt: text(run.created_at) ?? '',
        event: text(run.event) ?? '',
        headBranch: text(run.head_branch),
        headSha: text(run.head_sha) ?? '',
      },
    };
  }
  if (name === 'check_run') {
    const check = record(body.check_run);
    if (typeof check.id !== 'number' || !text(check.name) || !text(check.head_sha)) return { kind: 'other', name };
    return {
      kind: 'check_run',
      action,
      repository,
      checkRun: {
        id: check.id,
        name: text(check.name) ?? '',
        headSha: text(check.head_sha) ?? '',
        status: text(check.status) ?? 'queued',
        conclusion: text(check.conclusion),
        detailsUrl: text(check.details_url),
        htmlUrl: text(check.html_url),
      },
    };
  }
  if (name === 'check_suite') {
    const suite = record(body.check_suite);
    const headSha = text(suite.head_sha);
    if (typeof suite.id !== 'number' || !headSha) return { kind: 'other', name };
    return { kind: 'check_suite', action, repository, headSha, status: text(suite.status), conclusion: text(suite.conclusion) };
  }
  if (name === 'status') {
    // GitHub's documented payload: sha, context, state, target_url, description, repository.full_name.
    const sha = text(body.sha);
    const context = text(body.context);
    const state = text(body.state);
    if (!sha || !context || !state) return { kind: 'other', name };
    return {
      kind: 'status',
      repository,
      sha,
      status: { context, state, targetUrl: text(body.target_url), description: text(body.description) },
    };
  }
  if (name === 'create' && body.ref_type === 'tag') {
    const tag = text(body.ref);
    return tag ? { kind: 'tag', repository, tag, sha: null } : { kind: 'other', name };
  }
  if (name === 'push') {
    const ref = text(body.ref) ?? '';
    if (!ref.startsWith('refs/tags/') || body.deleted === true) return { kind: 'other', name };
    // An annotated tag's push names the tag object in `after`; `head_commit` is the commit it points at.
    return { kind: 'tag', repository, tag: ref.slice('refs/tags/'.length), sha: text(record(body.head_commit).id) };
  }
  return { kind: 'other', name };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** A refusal before the body was read: the connection is closed with it (the rest of the body is never read). */
function refuseUnread(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' });
  res.end(JSON.stringify(body));
}

/** Which delivery a webhook is: GitHub's id (not signed), and the SHA-256 of its signed body (a replay under a new id has the same). */
export interface WebhookDelivery {
  id: string;
  bodySha256: string;
}

/**
 * The `POST /github/webhooks` route: 401 at once, before the body is read,
 * without a signature header; 413 over the body limit; 401 unless the
 * signature signs the raw body (checked before it is parsed); then 202 at once
 * and `onEvent` in the background, with the delivery's id and body hash, for
 * deduplicating redeliveries and replays. `ping` gets 200.
 */
export function createWebhookListener(options: {
  secret: string;
  logger: Logger;
  onEvent: (event: GitHubEvent, delivery: WebhookDelivery) => Promise<void>;
}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const logger = options.logger.child({ module: 'github-webhooks' });
  return async (req, res) => {
    if (req.method !== 'POST') {
      send(res, 405, { error: 'method not allowed' });
      return;
    }
    const header = req.headers['x-hub-signature-256'];
    const signature = Array.isArray(header) ? header[0] : header;
    // Announced over the limit (signed or not), readLimitedBody refuses it at once, without reading it: 413 below.
    if (signatureDigest(signature) === null && !(Number(req.headers['content-length']) > MAX_BODY_BYTES)) {
      logger.warn({ delivery: req.headers['x-github-delivery'] }, 'GitHub webhook without a signature refused before its body was read');
      refuseUnread(res, 401, { error: 'missing signature (x-hub-signature-256)' });
      return;
    }
    const reading = await readLimitedBody(req, MAX_BODY_BYTES);
    if (!reading.ok) {
      logger.warn(
        { limit: MAX_BODY_BYTES, delivery: req.headers['x-github-delivery'] },
        'a GitHub webhook over the body limit was refused',
      );
      refuseTooLarge(res, MAX_BODY_BYTES);
      return;
    }
    const { body } = reading;
    if (!verifyWebhookSignature({ secret: options.secret, body, signature })) {
      logger.warn(
        { delivery: req.headers['x-github-delivery'] },
        'GitHub webhook with a wrong signature refused before its body was parsed',
      );
      send(res, 401, { error: 'bad signature' });
      return;
    }
    const name = String(req.headers['x-github-event'] ?? '');
    const deliveryId = String(req.headers['x-github-delivery'] ?? '');
    let payload: unknown;
    try {
      const raw = body.toString('utf8');
      // A webhook may be set to send `application/x-www-form-urlencoded` (`payload=<json>`).
      const form = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      payload = JSON.parse(form ? (new URLSearchParams(raw).get('payload') ?? '') : raw);
    } catch {
      send(res, 400, { error: 'not JSON' });
      return;
    }
    if (name === 'ping') {
      send(res, 200, { ok: true });
      return;
    }
    send(res, 202, { accepted: true });
    await options.onEvent(parseWebhookEvent(name, payload), {
      id: deliveryId,
      bodySha256: createHash('sha256').update(body).digest('hex'),
    });
  };
}
