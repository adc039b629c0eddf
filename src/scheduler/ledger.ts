/**
 * The scheduler's ledger on the `job_runs` table: one row per job and
 * scheduled instant, claimed by exactly one replica.
 *
 * Every decision is one atomic statement, so that replicas racing for the
 * same fire cannot both win:
 * - the first claim is `INSERT … ON CONFLICT DO NOTHING` (the primary key
 *   (job, scheduledAt) lets one insert through);
 * - a re-claim (the last attempt `failed`, or the claimant died: `running`
 *   with an expired lease) is a conditional `UPDATE … WHERE <still claimable>`
 *   that bumps `attempts`: PostgreSQL re-checks the condition on the row a
 *   concurrent winner just wrote, so the loser updates nothing;
 * - finishing (`markDone`, `markFailed`) is fenced by `claimedBy` and
 *   `attempts`, so a claimant whose lease was taken over cannot overwrite the
 *   new claimant's outcome.
 *
 * Times compared here are the caller's `now` (the application clock), never
 * the database's, so that a fake clock in tests and skew between the database
 * and the replicas do not matter; replicas are assumed to agree on the time
 * within a small fraction of the lease.
 */
import type { SqlSession } from '../db/database';

/** The `status` column of `job_runs`. */
export type JobRunStatus = 'running' | 'done' | 'failed' | 'missed';

/** Why a fire could not be claimed. */
export type ClaimRefusal =
  /** Another replica finished it. */
  | 'done'
  /** It was recorded as missed (not run within its grace period). */
  | 'missed'
  /** Another replica is running it and its lease has not expired. */
  | 'running'
  /** The last attempt failed less than `retryDelayMs` ago. */
  | 'retry-not-due'
  /** It failed `maxAttempts` times already. */
  | 'attempts-exhausted'
  /** It is older than `now - graceMs`: too late to run. */
  | 'beyond-grace';

/** The answer of `claimFire`: run it (as attempt `attempt`), or leave it. */
export type ClaimResult = { claimed: true; attempt: number } | { claimed: false; reason: ClaimRefusal };

/** One row of `job_runs`. */
export interface JobRunRow {
  job: string;
  scheduledAt: Date;
  status: JobRunStatus;
  claimedBy: string;
  claimedAt: Date;
  finishedAt: Date | null;
  attempts: number;
  error: string | null;
}

/** Longest error text stored in `job_runs.error`; longer texts are cut with an ellipsis. */
export const MAX_ERROR_LENGTH = 2000;

const COLUMNS = `"job", "scheduledAt", "status", "claimedBy", "claimedAt", "finishedAt", "attempts", "error"`;

type RawRow = Record<string, unknown>;

function toRow(raw: RawRow): JobRunRow {
  const date = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));
  return {
    job: String(raw.job),
    scheduledAt: date(raw.scheduledAt),
    status: String(raw.status) as JobRunStatus,
    claimedBy: String(raw.claimedBy),
    claimedAt: date(raw.claimedAt),
    finishedAt: raw.finishedAt === null || raw.finishedAt === undefined ? null : date(raw.finishedAt),
    attempts: Number(raw.attempts),
    error: raw.error === null || raw.error === undefined ? null : String(raw.error),
  };
}

function before(now: Date, ms: number): Date {
  return new Date(now.getTime() - ms);
}

/** Cuts `text` to at most `max` characters (ending with "…" when cut). */
export function truncateError(text: string, max = MAX_ERROR_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** The ledger row of one fire, or undefined when no replica has touched it. */
export async function getFire(options: { sql: SqlSession; job: string; scheduledAt: Date }): Promise<JobRunRow | undefined> {
  const rows = await options.sql.query<RawRow>(`SELECT ${COLUMNS} FROM "job_runs" WHERE "job" = $1 AND "scheduledAt" = $2`, [
    options.job,
    options.scheduledAt,
  ]);
  const row = rows[0];
  return row === undefined ? undefined : toRow(row);
}

/** The ledger rows of `job` whose `scheduledAt` is in (from, to], ascending. */
export async function listFires(options: { sql: SqlSession; job: string; from: Date; to: Date }): Promise<JobRunRow[]> {
  const rows = await options.sql.query<RawRow>(
    `SELECT ${COLUMNS} FROM "job_runs"
      WHERE "job" = $1 AND "scheduledAt" > $2 AND "scheduledAt" <= $3
      ORDER BY "scheduledAt"`,
    [options.job, options.from, options.to],
  );
  return rows.map(toRow);
}

/** Options of `claimFire`. */
export interface ClaimFireOptions {
  sql: SqlSession;
  job: string;
  scheduledAt: Date;
  /** The claimant's current time; recorded as `claimedAt`. */
  now: Date;
  /** Who claims (instance id: host, pid and a random suffix). */
  claimedBy: string;
  /** A `running` claim older than this (by `claimedAt`) belongs to a dead claimant and may be taken over. */
  leaseMs: number;
  /** Refuse fires older than `now - graceMs` (default: no limit). */
  graceMs?: number;
  /** A `failed` fire may be retried once this long has passed since it failed (default 0). */
  retryDelayMs?: number;
  /** Never start attempt number `maxAttempts + 1` (default: no limit). */
  maxAttempts?: number;
}

/**
 * Claims the fire of `job` at `scheduledAt` for `claimedBy`: exactly one of
 * any number of concurrent callers gets `{ claimed: true }`. A fresh fire is
 * attempt 1; a fire whose last attempt failed (at least `retryDelayMs` ago)
 * or whose claimant's lease expired is re-claimed as attempt `attempts + 1`,
 * while within `graceMs` and below `maxAttempts`.
 */
export async function claimFire(options: ClaimFireOptions): Promise<ClaimResult> {
  const { sql, job, scheduledAt, now, claimedBy } = options;
  if (options.graceMs !== undefined && now.getTime() - scheduledAt.getTime() > options.graceMs) {
    return { claimed: false, reason: 'beyond-grace' };
  }
  // Two rounds at most: should the row vanish between the insert and the
  // update (nothing deletes rows today), the second insert settles it.
  for (let round = 0; round < 2; round += 1) {
    const inserted = await sql.query<{ attempts: number }>(
      `INSERT INTO "job_runs" ("job", "scheduledAt", "status", "claimedBy", "claimedAt", "attempts")
       VALUES ($1, $2, 'running', $3, $4, 1)
       ON CONFLICT ("job", "scheduledAt") DO NOTHING
       RETURNING "attempts"`,
      [job, scheduledAt, claimedBy, now],
    );
    if (inserted[0] !== undefined) return { claimed: true, attempt: Number(inserted[0].attempts) };

    const updated = await sql.query<{ attempts: number }>(
      `UPDATE "job_runs"
          SET "status" = 'running', "claimedBy" = $3, "claimedAt" = $4, "finishedAt" = NULL,
              "attempts" = "attempts" + 1
        WHERE "job" = $1 AND "scheduledAt" = $2
          AND "attempts" < $7
          AND (("status" = 'failed' AND "finishedAt" <= $5)
            OR ("status" = 'running' AND "claimedAt" <= $6))
        RETURNING "attempts"`,
      [
        job,
        scheduledAt,
        claimedBy,
        now,
        before(now, options.retryDelayMs ?? 0),
        before(now, options.leaseMs),
        options.maxAttempts ?? 2_147_483_647,
      ],
    );
    if (updated[0] !== undefined) return { claimed: true, attempt: Number(updated[0].attempts) };

    const row = await getFire({ sql, job, scheduledAt });
    if (row === undefined) continue;
    return { claimed: false, reason: refusalFor(row, options) };
  }
  return { claimed: false, reason: 'running' };
}

function refusalFor(row: JobRunRow, options: ClaimFireOptions): ClaimRefusal {
  if (row.status === 'done' || row.status === 'missed') return row.status;
  if (options.maxAttempts !== undefined && row.attempts >= options.maxAttempts) return 'attempts-exhausted';
  return row.status === 'failed' ? 'retry-not-due' : 'running';
}

/** Identifies one attempt: only the claimant of that attempt may finish it. */
export interface FinishFireOptions {
  sql: SqlSession;
  job: string;
  scheduledAt: Date;
  /** When the attempt ended; recorded as `finishedAt`. */
  now: Date;
  claimedBy: string;
  /** The attempt number `claimFire` returned. */
  attempt: number;
}

async function finish(options: FinishFireOptions, status: 'done' | 'failed', error: string | null): Promise<boolean> {
  const rows = await options.sql.query<{ job: string }>(
    `UPDATE "job_runs" SET "status" = $5, "finishedAt" = $6, "error" = $7
      WHERE "job" = $1 AND "scheduledAt" = $2 AND "claimedBy" = $3 AND "attempts" = $4 AND "status" = 'running'
      RETURNING "job"`,
    [options.job, options.scheduledAt, options.claimedBy, options.attempt, status, options.now, error],
  );
  return rows.length > 0;
}

/**
 * Records that the attempt succeeded. Returns false when the claim was no
 * longer this attempt's (its lease expired and another replica took it over).
 */
export async function markDone(options: FinishFireOptions): Promise<boolean> {
  return finish(options, 'done', null);
}

/**
 * Records that the attempt failed with `error` (cut to `MAX_ERROR_LENGTH`
 * characters; pass text already free of secrets). Returns false when the
 * claim was no longer this attempt's.
 */
export async function markFailed(options: FinishFireOptions & { error: string }): Promise<boolean> {
  return finish(options, 'failed', truncateError(options.error));
}

/**
 * Records that the fire was not run within its grace period: a fire no
 * replica ever claimed, or one whose claimant died mid-run (`running` with a
 * lease expired) and that was not taken over in time. Returns true when this
 * call recorded it (so that one replica, not all, reports it); a fire that
 * ran — done, failed, or running under a live lease — is left alone.
 */
export async function markMissed(options: {
  sql: SqlSession;
  job: string;
  scheduledAt: Date;
  now: Date;
  claimedBy: string;
  leaseMs: number;
}): Promise<boolean> {
  const { sql, job, scheduledAt, now, claimedBy } = options;
  const inserted = await sql.query<{ job: string }>(
    `INSERT INTO "job_runs" ("job", "scheduledAt", "status", "claimedBy", "claimedAt", "finishedAt", "attempts")
     VALUES ($1, $2, 'missed', $3, $4, $4, 0)
     ON CONFLICT ("job", "scheduledAt") DO NOTHING
     RETURNING "job"`,
    [job, scheduledAt, claimedBy, now],
  );
  if (inserted.length > 0) return true;
  const abandoned = await sql.query<{ job: string }>(
    `UPDATE "job_runs"
        SET "status" = 'missed', "finishedAt" = $3,
            "error" = 'claimed by ' || "claimedBy" || ' (attempt ' || "attempts" || '), which stopped before finishing; not taken over within the grace period'
      WHERE "job" = $1 AND "scheduledAt" = $2 AND "status" = 'running' AND "claimedAt" <= $4
      RETURNING "job"`,
    [job, scheduledAt, now, before(now, options.leaseMs)],
  );
  return abandoned.length > 0;
}

/** Deletes the settled rows (done, missed) of `job` scheduled before `before`; for jobs that fire every few minutes. */
export async function pruneFires(options: { sql: SqlSession; job: string; before: Date }): Promise<number> {
  const rows = await options.sql.query<{ job: string }>(
    `DELETE FROM "job_runs" WHERE "job" = $1 AND "scheduledAt" < $2 AND "status" IN ('done', 'missed') RETURNING "job"`,
    [options.job, options.before],
  );
  return rows.length;
}
