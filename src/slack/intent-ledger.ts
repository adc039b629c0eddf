/**
 * The intent ledger (`slack_intents`): a mutating Slack request (a command or
 * a button that changes something) is recorded here BEFORE its ack, with what
 * is needed to run it again. The row is also the delivery's claim: a Slack
 * retry or a double delivery finds it and does nothing. The work marks it
 * done once it has answered; a pending intent whose last attempt started
 * longer ago than the lease (its process died, or hangs) is claimed again by
 * one replica (row by row, `FOR UPDATE SKIP LOCKED`) and run again.
 */
import type { SqlPort } from '../db/database';

export type IntentKind = 'command' | 'button';
export type IntentStatus = 'pending' | 'done' | 'abandoned';

export interface IntentRecord {
  key: string;
  kind: IntentKind;
  payload: unknown;
  attempts: number;
  receivedAt: Date;
}

/** Records a new intent; false when its key was recorded before (a retried or doubled delivery). */
export async function recordIntent(options: {
  sql: SqlPort;
  key: string;
  kind: IntentKind;
  payload: unknown;
  now: Date;
}): Promise<boolean> {
  const rows = await options.sql.query<{ key: string }>(
    `INSERT INTO slack_intents (key, kind, payload, status, attempts, "receivedAt", "claimedAt")
     VALUES ($1, $2, $3::jsonb, 'pending', 1, $4, $4) ON CONFLICT (key) DO NOTHING RETURNING key`,
    [options.key, options.kind, JSON.stringify(options.payload), options.now],
  );
  return rows.length === 1;
}

/** Marks an intent finished (`done`), or given up (`abandoned`). */
export async function finishIntent(options: {
  sql: SqlPort;
  key: string;
  status: Exclude<IntentStatus, 'pending'>;
  now: Date;
}): Promise<void> {
  await options.sql.query(`UPDATE slack_intents SET status = $2, "doneAt" = $3 WHERE key = $1 AND status = 'pending'`, [
    options.key,
    options.status,
    options.now,
  ]);
}

/**
 * Claims up to `limit` pending intents whose last attempt started at or before
 * `now - leaseMs`, oldest first, counting the attempt; each is claimed by one
 * caller only, across replicas.
 */
export async function claimStaleIntents(options: { sql: SqlPort; now: Date; leaseMs: number; limit: number }): Promise<IntentRecord[]> {
  return options.sql.query<IntentRecord & Record<string, unknown>>(
    `UPDATE slack_intents SET "claimedAt" = $1, attempts = attempts + 1
     WHERE key IN (
       SELECT key FROM slack_intents WHERE status = 'pending' AND "claimedAt" <= $2
       ORDER BY "receivedAt" LIMIT $3 FOR UPDATE SKIP LOCKED
     )
     RETURNING key, kind, payload, attempts, "receivedAt"`,
    [options.now, new Date(options.now.getTime() - options.leaseMs), options.limit],
  );
}

/** Forgets finished intents older than `before`. */
export async function pruneIntents(options: { sql: SqlPort; before: Date }): Promise<number> {
  const rows = await options.sql.query<{ key: string }>(
    `DELETE FROM slack_intents WHERE status <> 'pending' AND "receivedAt" < $1 RETURNING key`,
    [options.before],
  );
  return rows.length;
}
