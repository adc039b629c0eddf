/**
 * The reminders' message ledger (`reminder_messages`): every message they post
 * is keyed by (train, kind, scheduled instant, recipient) and claimed before
 * it is posted, so that a retried sweep, a second replica or a restart never
 * posts it again, and a retry continues with the messages not yet sent.
 *
 * A claim is "sending" until Slack answers: "sent" with the ts, or released
 * (deleted) when Slack said the call failed for a passing reason (the next
 * attempt posts it), or "failed" with Slack's error when it will not work.
 * A process dying while Slack posts leaves the claim "sending": that message
 * is never posted again (at most once), and shows as unconfirmed.
 */
import type { SqlPort } from '../db/database';
import { scrubSecrets } from '../logger';

export type MessageKind = 'check-in' | 'sweep-dm' | 'owner-summary' | 'sweep-failed' | 'cutoff';
export type MessageStatus = 'sending' | 'sent' | 'failed';

export interface MessageKey {
  train: number;
  kind: MessageKind;
  scheduledAt: Date;
  /** Slack user id or channel. */
  recipient: string;
}

export interface MessageRow extends MessageKey {
  id: number;
  status: MessageStatus;
  channel: string | null;
  ts: string | null;
  error: string | null;
}

type RawRow = Record<string, unknown>;

const COLUMNS = `"id", "train", "kind", "scheduledAt", "recipient", "status", "channel", "ts", "error"`;

function toRow(raw: RawRow): MessageRow {
  const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
  return {
    id: Number(raw.id),
    train: Number(raw.train),
    kind: String(raw.kind) as MessageKind,
    scheduledAt: raw.scheduledAt instanceof Date ? raw.scheduledAt : new Date(String(raw.scheduledAt)),
    recipient: String(raw.recipient),
    status: String(raw.status) as MessageStatus,
    channel: text(raw.channel),
    ts: text(raw.ts),
    error: text(raw.error),
  };
}

/** The ledger row of one message, if any. */
export async function findMessage(options: { sql: SqlPort; key: MessageKey }): Promise<MessageRow | undefined> {
  const { train, kind, scheduledAt, recipient } = options.key;
  const rows = await options.sql.query<RawRow>(
    `SELECT ${COLUMNS} FROM "reminder_messages" WHERE "train" = $1 AND "kind" = $2 AND "scheduledAt" = $3 AND "recipient" = $4`,
    [train, kind, scheduledAt, recipient],
  );
  return rows[0] === undefined ? undefined : toRow(rows[0]);
}

/** Every ledger row of one kind for a train. */
export async function listMessages(options: { sql: SqlPort; train: number; kind: MessageKind }): Promise<MessageRow[]> {
  const rows = await options.sql.query<RawRow>(
    `SELECT ${COLUMNS} FROM "reminder_messages" WHERE "train" = $1 AND "kind" = $2 ORDER BY "scheduledAt", "id"`,
    [options.train, options.kind],
  );
  return rows.map(toRow);
}

/** Claims a message: true for exactly one caller, whatever the number of replicas or retries. */
export async function claimMessage(options: { sql: SqlPort; key: MessageKey; now: Date }): Promise<{ claimed: true; id: number } | { claimed: false }> {
  const { train, kind, scheduledAt, recipient } = options.key;
  const rows = await options.sql.query<{ id: number }>(
    `INSERT INTO "reminder_messages" ("train", "kind", "scheduledAt", "recipient", "status", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, $4, 'sending', $5, $5)
     ON CONFLICT ("train", "kind", "scheduledAt", "recipient") DO NOTHING
     RETURNING "id"`,
    [train, kind, scheduledAt, recipient, options.now],
  );
  const row = rows[0];
  return row === undefined ? { claimed: false } : { claimed: true, id: Number(row.id) };
}

export async function markSent(options: { sql: SqlPort; id: number; channel: string; ts: string; now: Date }): Promise<void> {
  await options.sql.query(
    `UPDATE "reminder_messages" SET "status" = 'sent', "channel" = $2, "ts" = $3, "error" = NULL, "updatedAt" = $4 WHERE "id" = $1`,
    [options.id, options.channel, options.ts, options.now],
  );
}

export async function markFailed(options: { sql: SqlPort; id: number; error: string; now: Date }): Promise<void> {
  await options.sql.query(`UPDATE "reminder_messages" SET "status" = 'failed', "error" = $2, "updatedAt" = $3 WHERE "id" = $1`, [
    options.id,
    scrubSecrets(options.error).slice(0, 500),
    options.now,
  ]);
}

/** Gives a claim back (Slack refused for a passing reason): the next attempt may post it. */
export async function releaseClaim(options: { sql: SqlPort; id: number }): Promise<void> {
  await options.sql.query(`DELETE FROM "reminder_messages" WHERE "id" = $1 AND "status" = 'sending'`, [options.id]);
}

/** Points a sent message at a new ts (it was deleted and posted again), unless someone else did already. */
export async function replaceTs(options: { sql: SqlPort; id: number; oldTs: string; channel: string; ts: string; now: Date }): Promise<boolean> {
  const rows = await options.sql.query<{ id: number }>(
    `UPDATE "reminder_messages" SET "channel" = $3, "ts" = $4, "updatedAt" = $5 WHERE "id" = $1 AND "ts" = $2 RETURNING "id"`,
    [options.id, options.oldTs, options.channel, options.ts, options.now],
  );
  return rows.length > 0;
}

/** The error code of a Slack Web API answer `ok: false` (e.g. 'channel_not_found'), if that is what `error` is. */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** Slack answers worth trying again later; every other `ok: false` will fail the same way. */
const PASSING_SLACK_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** Slack said no for good (e.g. 'user_not_found', 'cannot_dm_bot'): trying again would not help. */
export function isPermanentSlackError(error: unknown): boolean {
  const code = slackErrorCode(error);
  return code !== undefined && !PASSING_SLACK_ERRORS.has(code);
}

export type PostOutcome =
  | { outcome: 'posted'; channel: string; ts: string }
  | { outcome: 'already' }
  | { outcome: 'failed'; error: string };

/**
 * Posts one message once. Returns 'already' when it was claimed before (sent,
 * being sent, or failed for good). A failure Slack may get over is thrown
 * after the claim is released (unless `giveUp`: then it is recorded as
 * failed, as are permanent failures, and returned).
 */
export async function postOnce(options: {
  sql: SqlPort;
  key: MessageKey;
  now: Date;
  post: () => Promise<{ channel: string; ts: string }>;
  /** The last attempt: record every failure instead of leaving it for a retry. */
  giveUp?: boolean;
}): Promise<PostOutcome> {
  const { sql, now } = options;
  const claim = await claimMessage({ sql, key: options.key, now });
  if (!claim.claimed) return { outcome: 'already' };
  let posted: { channel: string; ts: string };
  try {
    posted = await options.post();
  } catch (error) {
    if (options.giveUp || isPermanentSlackError(error)) {
      const text = slackErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
      await markFailed({ sql, id: claim.id, error: text, now });
      return { outcome: 'failed', error: text };
    }
    await releaseClaim({ sql, id: claim.id });
    throw error;
  }
  // Posted: from here on the claim is never released, so nothing posts it again.
  await markSent({ sql, id: claim.id, channel: posted.channel, ts: posted.ts, now });
  return { outcome: 'posted', ...posted };
}
