/**
 * The intent ledger (`slack_intents`): a mutating Slack request (a command or
 * a button that changes something) is recorded here BEFORE its ack, with what
 * is needed to run it again. The row is also the delivery's claim: a Slack
 * retry or a double delivery finds it and does nothing. The work marks it
 * done once it has answered; while it runs, its attempt renews the lease
 * (`claimedAt`). A pending intent whose lease ran out (its process died, or
 * hangs) is claimed again by one replica (row by row, `FOR UPDATE SKIP
 * LOCKED`) and run again.
 */
import type { SqlPort } from '../db/database';
import type { PrismaClient } from '../generated/prisma/client';

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

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

/**
 * Renews the lease of a pending intent (its last attempt still running): `claimedAt` becomes `now`, if it is still
 * pending and, when `attempt` is given, still that attempt (not taken over by another). False otherwise.
 */
export async function renewIntentLease(options: { sql: SqlPort; key: string; attempt: number | undefined; now: Date }): Promise<boolean> {
  const rows = await options.sql.query<{ key: string }>(
    `UPDATE slack_intents SET "claimedAt" = GREATEST("claimedAt", $2)
     WHERE key = $1 AND status = 'pending' AND ($3::int IS NULL OR attempts = $3) RETURNING key`,
    [options.key, options.now, options.attempt ?? null],
  );
  return rows.length === 1;
}

/** Forgets finished intents older than `before`, and the changes marked before then. */
export async function pruneIntents(options: { sql: SqlPort; before: Date }): Promise<number> {
  const rows = await options.sql.query<{ key: string }>(
    `DELETE FROM slack_intents WHERE status <> 'pending' AND "receivedAt" < $1 RETURNING key`,
    [options.before],
  );
  await options.sql.query(
    `DELETE FROM slack_intent_effects e WHERE e."appliedAt" < $1 AND NOT EXISTS (SELECT 1 FROM slack_intents i WHERE i.key = e.key)`,
    [options.before],
  );
  return rows.length;
}

/**
 * Claims the intent's answer number `n` (1, 2, … in the order the work answers) before it is posted: false when
 * an earlier attempt claimed it already (it was posted, or its poster died posting it: at most once).
 */
export async function claimAnswer(options: { sql: SqlPort; key: string; n: number }): Promise<boolean> {
  const rows = await options.sql.query<{ key: string }>(
    'UPDATE slack_intents SET answers = $2 WHERE key = $1 AND answers < $2 RETURNING key',
    [options.key, options.n],
  );
  return rows.length === 1;
}

/**
 * Marks, inside the change's own transaction `tx`, that the intent `key` made its change: true the first
 * time, false when an earlier attempt committed it already (the replay must not change again).
 */
export async function claimIntentEffect(tx: Tx, key: string, now: Date): Promise<boolean> {
  const { count } = await tx.slackIntentEffect.createMany({ data: [{ key, appliedAt: now }], skipDuplicates: true });
  return count === 1;
}
