/**
 * The message ledger (`slack_messages`): every message a feature posts is
 * keyed by a string (e.g. `reminders:sweep-dm:302:<instant>:U123`) and claimed
 * before it is posted, so that a retried job, a second replica or a restart
 * never posts it again, and a retry carries on with the messages not yet sent.
 * A row may also name the train and kind of message it is, so that a feature
 * can list a train's messages of a kind.
 *
 * A claim is "sending" until Slack answers: "sent" with the ts, or released
 * (deleted) when Slack said the call failed for a passing reason (the next
 * attempt posts it), or "failed" with Slack's error when it will not work.
 * A process dying while Slack posts leaves the claim "sending": the next
 * attempt looks for the message in Slack (by the key in its metadata) and
 * adopts it, or posts it (messenger.ts); until then it shows as unconfirmed.
 */
import type { SqlPort, SqlSession } from '../db/database';
import { scrubSecrets } from '../logger';

export type MessageStatus = 'sending' | 'sent' | 'failed';

/** What a message is about, to list a train's messages of a kind. */
export interface MessageAbout {
  train: number;
  kind: string;
  /** The fire it belongs to (e.g. a sweep's instant). */
  scheduledAt?: Date;
}

export interface MessageRecord {
  id: number;
  key: string;
  train: number | null;
  kind: string | null;
  scheduledAt: Date | null;
  /** Slack user id (DMs) or channel. */
  recipient: string;
  status: MessageStatus;
  channel: string | null;
  ts: string | null;
  error: string | null;
}

type RawRow = Record<string, unknown>;

/** A pool or one session (the messenger posts on the session holding the key's lock). */
type Queries = Pick<SqlSession, 'query'>;

const COLUMNS = `"id", "key", "train", "kind", "scheduledAt", "recipient", "status", "channel", "ts", "error"`;

function toRecord(raw: RawRow): MessageRecord {
  const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
  const instant = (value: unknown): Date | null =>
    value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value));
  return {
    id: Number(raw.id),
    key: String(raw.key),
    train: raw.train === null || raw.train === undefined ? null : Number(raw.train),
    kind: text(raw.kind),
    scheduledAt: instant(raw.scheduledAt),
    recipient: String(raw.recipient),
    status: String(raw.status) as MessageStatus,
    channel: text(raw.channel),
    ts: text(raw.ts),
    error: text(raw.error),
  };
}

/** The ledger row of one message, if any. */
export async function findMessage(sql: Queries, key: string): Promise<MessageRecord | undefined> {
  const rows = await sql.query<RawRow>(`SELECT ${COLUMNS} FROM "slack_messages" WHERE "key" = $1`, [key]);
  return rows[0] === undefined ? undefined : toRecord(rows[0]);
}

/** Every ledger row of one kind for a train, in the order of their instants. */
export async function listMessages(sql: SqlPort, about: { train: number; kind: string }): Promise<MessageRecord[]> {
  const rows = await sql.query<RawRow>(
    `SELECT ${COLUMNS} FROM "slack_messages" WHERE "train" = $1 AND "kind" = $2 ORDER BY "scheduledAt", "id"`,
    [about.train, about.kind],
  );
  return rows.map(toRecord);
}

/** Claims a message: true for exactly one caller, whatever the number of replicas or retries. */
export async function claimMessage(
  sql: Queries,
  claim: { key: string; recipient: string; about?: MessageAbout; now: Date },
): Promise<{ claimed: true; id: number } | { claimed: false }> {
  const rows = await sql.query<{ id: number }>(
    `INSERT INTO "slack_messages" ("key", "train", "kind", "scheduledAt", "recipient", "status", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, $4, $5, 'sending', $6, $6)
     ON CONFLICT ("key") DO NOTHING
     RETURNING "id"`,
    [claim.key, claim.about?.train ?? null, claim.about?.kind ?? null, claim.about?.scheduledAt ?? null, claim.recipient, claim.now],
  );
  const row = rows[0];
  return row === undefined ? { claimed: false } : { claimed: true, id: Number(row.id) };
}

export async function markSent(sql: Queries, sent: { id: number; channel: string; ts: string; now: Date }): Promise<void> {
  await sql.query(
    `UPDATE "slack_messages" SET "status" = 'sent', "channel" = $2, "ts" = $3, "error" = NULL, "updatedAt" = $4 WHERE "id" = $1`,
    [sent.id, sent.channel, sent.ts, sent.now],
  );
}

export async function markFailed(sql: Queries, failed: { id: number; error: string; now: Date }): Promise<void> {
  await sql.query(`UPDATE "slack_messages" SET "status" = 'failed', "error" = $2, "updatedAt" = $3 WHERE "id" = $1`, [
    failed.id,
    scrubSecrets(failed.error).slice(0, 500),
    failed.now,
  ]);
}

/** Gives a claim back (Slack refused for a passing reason): the next attempt may post it. */
export async function releaseClaim(sql: Queries, id: number): Promise<void> {
  await sql.query(`DELETE FROM "slack_messages" WHERE "id" = $1 AND "status" = 'sending'`, [id]);
}

/** Points a sent message at a new ts (it was deleted and posted again), unless someone else did already. */
export async function replaceTs(
  sql: SqlPort,
  replaced: { id: number; oldTs: string; channel: string; ts: string; now: Date },
): Promise<boolean> {
  const rows = await sql.query<{ id: number }>(
    `UPDATE "slack_messages" SET "channel" = $3, "ts" = $4, "updatedAt" = $5 WHERE "id" = $1 AND "ts" = $2 RETURNING "id"`,
    [replaced.id, replaced.oldTs, replaced.channel, replaced.ts, replaced.now],
  );
  return rows.length > 0;
}
