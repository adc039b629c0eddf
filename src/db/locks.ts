/**
 * The one registry of PostgreSQL advisory-lock namespaces. Every advisory lock
 * the bot takes is named here, so that two features never share a number by
 * accident. The numbers never change: replicas of an old and a new version
 * overlap during a rolling deploy, and must take the same locks.
 *
 * Two kinds, as PostgreSQL has them (they never conflict with each other):
 * - `single`: one bigint key, the whole namespace is one lock (`pg_advisory_lock(key)`);
 * - `keyed`: a class and an int4 id (`pg_advisory_lock(class, id)`), one lock per id (a train, a plan…).
 */
import type { PrismaClient } from '../generated/prisma/client';
import type { SqlPort, SqlSession } from './database';

export const LOCK_NAMESPACES = {
  /** Prisma's own migration lock (prisma-engines, sql-schema-connector): shared with Prisma's CLI. */
  migrations: { kind: 'single', key: 72707369 },
  /** Roster edits ("rost"). */
  roster: { kind: 'single', key: 0x726f7374 },
  /** Refreshes of a train's owner summary ("summ"); the id is the train. */
  ownerSummary: { kind: 'keyed', key: 0x73756d6d },
  /** Creating a train's thread ("thrd"); the id is the train. */
  trainThread: { kind: 'keyed', key: 0x74687264 },
  /** Flushing one release's notices ("ntce"); the id is the release. */
  releaseNotices: { kind: 'keyed', key: 0x6e746365 },
  /** A train's patch requests and plan ("patc"); the id is the train. */
  patchTrain: { kind: 'keyed', key: 0x70617463 },
  /** A dot-release plan's announcement ("anno"); the id is the plan. */
  patchAnnouncement: { kind: 'keyed', key: 0x616e6e6f },
  /** Operations on one git repository's remote ("gitr"): picks, pushes, tags; the id is a hash of the remote (src/git/lock.ts). */
  gitRepository: { kind: 'keyed', key: 0x67697472 },
  /** Posting one message of the message ledger ("post"); the id is a hash of its key (src/slack/messenger.ts). */
  messagePost: { kind: 'keyed', key: 0x706f7374 },
  /** Running one dot release ("dotr"): held for the whole run, so two replicas never run the same plan; the id is the plan. */
  dotReleaseRun: { kind: 'keyed', key: 0x646f7472 },
} as const satisfies Record<string, { kind: 'single' | 'keyed'; key: number }>;

export type LockNamespace = keyof typeof LOCK_NAMESPACES;
type NamespacesOf<Kind> = { [N in LockNamespace]: (typeof LOCK_NAMESPACES)[N]['kind'] extends Kind ? N : never }[LockNamespace];

/** One advisory lock: a single namespace, or a keyed namespace and its id. */
export type AdvisoryLock = { namespace: NamespacesOf<'single'> } | { namespace: NamespacesOf<'keyed'>; id: number };

/** The SQL arguments of `lock`: `$1` or `$1, $2`, and their values. */
function argumentsOf(lock: AdvisoryLock): { placeholders: string; values: number[] } {
  const { key } = LOCK_NAMESPACES[lock.namespace];
  if (!('id' in lock)) return { placeholders: '$1::bigint', values: [key] };
  if (!Number.isInteger(lock.id)) throw new Error(`advisory lock ${lock.namespace}: the id must be an integer, not ${lock.id}`);
  return { placeholders: '$1::int4, $2::int4', values: [key, lock.id] };
}

/** Runs `work` on one session holding `lock` (waiting for it), and lets go afterwards, whatever happens. */
export async function withAdvisoryLock<T>(sql: SqlPort, lock: AdvisoryLock, work: (session: SqlSession) => Promise<T>): Promise<T> {
  const { placeholders, values } = argumentsOf(lock);
  return sql.withSession(async (session) => {
    await session.query(`SELECT pg_advisory_lock(${placeholders})`, values);
    try {
      return await work(session);
    } finally {
      await session.query(`SELECT pg_advisory_unlock(${placeholders})`, values);
    }
  });
}

/** Runs `work` holding `lock` if it is free now; `{ locked: false }` (without running it) when someone else holds it. */
export async function tryWithAdvisoryLock<T>(
  sql: SqlPort,
  lock: AdvisoryLock,
  work: (session: SqlSession) => Promise<T>,
): Promise<{ locked: true; value: T } | { locked: false }> {
  const { placeholders, values } = argumentsOf(lock);
  return sql.withSession(async (session) => {
    const [row] = await session.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${placeholders}) AS locked`, values);
    if (!row?.locked) return { locked: false };
    try {
      return { locked: true, value: await work(session) };
    } finally {
      await session.query(`SELECT pg_advisory_unlock(${placeholders})`, values);
    }
  });
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** Takes `lock` for the rest of the Prisma transaction `tx` (waiting for it); PostgreSQL lets go at commit or rollback. */
export async function lockForTransaction(tx: Pick<Tx, '$executeRawUnsafe'>, lock: AdvisoryLock): Promise<void> {
  const { placeholders, values } = argumentsOf(lock);
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${placeholders})`, ...values);
}
