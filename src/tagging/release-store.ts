/**
 * Tag releases in PostgreSQL. The guard (at most one cut per train) is the
 * row itself: taken with an insert that only one caller can win, before
 * anything is dispatched. Every later change is conditional on the row's
 * `version`, so of two replicas (or a webhook and the watcher) advancing the
 * same release, one wins and the other drops its result; the change, the
 * messages it causes (the notice outbox) and its audit entry are written in
 * one transaction.
 */
import { recordAudit } from '../audit/audit-store';
import type { Prisma, PrismaClient, TagRelease } from '../generated/prisma/client';
import type { Block } from '../slack/blocks';
import { holdsTheTrain, type TagState } from './states';

export type { TagRelease };

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** A message for the train's thread, posted once after the change that causes it is committed. */
export interface NoticeDraft {
  /** Unique per release, e.g. "tagged#1". */
  key: string;
  text: string;
  blocks?: Block[];
  /** A milestone the channel sees too (see rerun-view.ts), when `milestones.kinds` names it. */
  milestone?: string;
}

export interface AuditDraft {
  actor: string;
  action: string;
  details?: Prisma.InputJsonValue;
}

/** Fields a step may change (state changes also reset the state's clock, polls and lateness report). */
export type ReleaseChanges = Omit<Prisma.TagReleaseUpdateManyMutationInput, 'version' | 'updatedAt' | 'state' | 'stateSince'> & {
  state?: TagState;
};

/** Fields cleared when a cut is dispatched again (a retry, or a new request after a refusal). */
const FRESH_CUT = {
  dispatchedAt: null,
  dispatchUncertain: false,
  runId: null,
  runUrl: null,
  runStatus: null,
  runConclusion: null,
  lastError: null,
  overdueReportedAt: null,
  polls: 0,
  githubDownSince: null,
  githubDownSeconds: 0,
} as const;

/**
 * Applies `changes` if the release is still at the version the caller read.
 * Returns the updated row, or null when someone else changed it first (the
 * caller's result is then dropped: nothing is written or posted).
 */
export async function applyChanges(options: {
  prisma: PrismaClient;
  release: TagRelease;
  now: Date;
  changes: ReleaseChanges;
  notices?: NoticeDraft[];
  audit?: AuditDraft;
}): Promise<TagRelease | null> {
  const { release, now, changes } = options;
  const stateChanges = changes.state !== undefined && changes.state !== release.state;
  return applyWhere({
    ...options,
    where: { version: release.version },
    changes: { ...(stateChanges ? { stateSince: now, polls: 0, overdueReportedAt: null, githubDownSeconds: 0 } : {}), ...changes },
  });
}

/**
 * Applies `changes` to the release if it still matches `where` (besides its
 * id), with the notices and the audit entry, in one transaction. Returns the
 * updated row, or null when it no longer matched.
 */
export async function applyWhere(options: {
  prisma: PrismaClient;
  release: TagRelease;
  where: Prisma.TagReleaseWhereInput;
  now: Date;
  changes: Prisma.TagReleaseUpdateManyMutationInput;
  notices?: NoticeDraft[];
  audit?: AuditDraft;
}): Promise<TagRelease | null> {
  const { prisma, release, now, changes } = options;
  return prisma.$transaction(async (tx) => {
    const updated = await tx.tagRelease.updateMany({
      where: { ...options.where, id: release.id },
      data: {
        ...changes,
        version: { increment: 1 },
        updatedAt: now,
      },
    });
    if (updated.count !== 1) return null;
    await writeNotices(tx, release.id, now, options.notices ?? []);
    if (options.audit) {
      await recordAudit(tx, { ...options.audit, subject: `tag:${release.tag}`, at: now });
    }
    return tx.tagRelease.findUniqueOrThrow({ where: { id: release.id } });
  });
}

/** Writes notices for a release in the caller's transaction (a key already written is skipped). */
export async function writeNotices(tx: Tx, releaseId: number, now: Date, notices: NoticeDraft[]): Promise<void> {
  if (notices.length === 0) return;
  await tx.tagReleaseNotice.createMany({
    data: notices.map((notice) => ({
      releaseId,
      key: notice.key,
      text: notice.text,
      blocks: (notice.blocks ?? []) as unknown as Prisma.InputJsonValue,
      milestone: notice.milestone ?? null,
      createdAt: now,
    })),
    // A notice key already written (the same change seen twice) is not written again.
    skipDuplicates: true,
  });
}

export type GuardResult = { taken: true; release: TagRelease } | { taken: false; existing: TagRelease };

/**
 * Takes the guard of a cut: a new row in state `requested`, or an existing
 * row GitHub `refused` earlier (nothing was dispatched then) armed again.
 * Exactly one of any number of concurrent callers gets `taken: true`.
 */
export async function takeCutGuard(options: {
  prisma: PrismaClient;
  train: number;
  patch: number;
  tag: string;
  kind: 'train' | 'patch';
  actor: string;
  now: Date;
  sourceSha: string | null;
  /** When the watcher should look, should the dispatch never be recorded (the process died). */
  checkAt: Date;
}): Promise<GuardResult> {
  const { prisma, train, patch, tag, actor, now } = options;
  const created = await prisma.$transaction(async (tx) => {
    const inserted = await tx.tagRelease.createMany({
      data: [
        {
          train,
          patch,
          tag,
          kind: options.kind,
          state: 'requested',
          requestedBy: actor,
          requestedAt: now,
          sourceSha: options.sourceSha,
          stateSince: now,
          nextCheckAt: options.checkAt,
          createdAt: now,
          updatedAt: now,
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count !== 1) return null;
    await recordAudit(tx, {
      actor,
      action: 'tag.request',
      subject: `tag:${tag}`,
      details: { train, patch, sourceSha: options.sourceSha },
      at: now,
    });
    return tx.tagRelease.findUniqueOrThrow({ where: { tag } });
  });
  if (created) return { taken: true, release: created };
  const existing = await prisma.tagRelease.findFirst({ where: { OR: [{ train, patch }, { tag }] } });
  if (!existing) {
    // The row that blocked the insert is gone (nothing deletes them today): try once more.
    return takeCutGuard(options);
  }
  if (holdsTheTrain(existing.state)) return { taken: false, existing };
  const rearmed = await applyChanges({
    prisma,
    release: existing,
    now,
    changes: {
      ...FRESH_CUT,
      state: 'requested',
      attempt: existing.attempt + 1,
      requestedBy: actor,
      requestedAt: now,
      sourceSha: options.sourceSha,
      nextCheckAt: options.checkAt,
    },
    audit: { actor, action: 'tag.request', details: { train, patch, sourceSha: options.sourceSha, attempt: existing.attempt + 1 } },
  });
  if (rearmed) return { taken: true, release: rearmed };
  const latest = await prisma.tagRelease.findUniqueOrThrow({ where: { id: existing.id } });
  return { taken: false, existing: latest };
}

/** Arms a confirmed failure (`run_failed`, `run_missing`) for another dispatch; null when someone else did first. */
export async function armRetry(options: {
  prisma: PrismaClient;
  release: TagRelease;
  actor: string;
  now: Date;
  checkAt: Date;
}): Promise<TagRelease | null> {
  const { release, actor, now } = options;
  return applyChanges({
    prisma: options.prisma,
    release,
    now,
    changes: {
      ...FRESH_CUT,
      // The failed attempt's run is never the retry's (it may be created within the clock skew before the new dispatch).
      ...(release.runId === null ? {} : { earlierRunIds: { push: release.runId } }),
      state: 'requested',
      attempt: release.attempt + 1,
      requestedBy: actor,
      requestedAt: now,
      nextCheckAt: options.checkAt,
    },
    audit: { actor, action: 'tag.retry', details: { attempt: release.attempt + 1, after: release.state } },
  });
}

/** The release of a train's cut (patch 0), if any. */
export function findTrainCut(prisma: PrismaClient, train: number): Promise<TagRelease | null> {
  return prisma.tagRelease.findUnique({ where: { train_patch: { train, patch: 0 } } });
}

export function findRelease(prisma: PrismaClient, id: number): Promise<TagRelease | null> {
  return prisma.tagRelease.findUnique({ where: { id } });
}

/**
 * For /metrics, read at each scrape: tag releases (train cuts and dot releases) by kind and state, and the
 * notices not yet posted by their release's state. Two grouped counts over small tables (the notices through
 * their `postedAt` index): cheap at a scrape every 30 s.
 */
export async function countReleasesByState(prisma: PrismaClient): Promise<{
  byState: Array<{ kind: string; state: string; count: number }>;
  unpostedNotices: Array<{ state: string; count: number }>;
}> {
  const [groups, unposted] = await Promise.all([
    prisma.tagRelease.groupBy({ by: ['kind', 'state'], _count: { _all: true } }),
    prisma.tagReleaseNotice.findMany({ where: { postedAt: null }, select: { release: { select: { state: true } } } }),
  ]);
  const byNoticeState = new Map<string, number>();
  for (const notice of unposted) byNoticeState.set(notice.release.state, (byNoticeState.get(notice.release.state) ?? 0) + 1);
  return {
    byState: groups.map((group) => ({ kind: group.kind, state: group.state, count: group._count._all })),
    unpostedNotices: [...byNoticeState].map(([state, count]) => ({ state, count })),
  };
}

/** Releases due for a look at `now`, oldest due first. */
export function listDueReleases(prisma: PrismaClient, now: Date, limit = 20): Promise<TagRelease[]> {
  return prisma.tagRelease.findMany({ where: { nextCheckAt: { lte: now } }, orderBy: { nextCheckAt: 'asc' }, take: limit });
}

/** The most recent release (highest train, then patch), for the dashboard. */
export function findLatestRelease(prisma: PrismaClient): Promise<TagRelease | null> {
  return prisma.tagRelease.findFirst({ orderBy: [{ train: 'desc' }, { patch: 'desc' }] });
}

/** Asks the watcher to look at these releases at its next tick (a webhook hinted at news it could not place). */
export async function lookSoon(prisma: PrismaClient, ids: number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await prisma.tagRelease.updateMany({ where: { id: { in: ids }, nextCheckAt: { gt: now } }, data: { nextCheckAt: now } });
}

/** Of `runIds`, those another release than `exceptRelease` follows (as its tagging or its image run). */
export async function listRunClaims(prisma: PrismaClient, options: { exceptRelease: number; runIds: number[] }): Promise<Set<number>> {
  const ids = options.runIds.map((id) => BigInt(id));
  const taken = await prisma.tagRelease.findMany({
    where: { id: { not: options.exceptRelease }, OR: [{ runId: { in: ids } }, { imageRunId: { in: ids } }] },
    select: { runId: true, imageRunId: true },
  });
  return new Set(
    taken
      .flatMap((row) => [row.runId, row.imageRunId])
      .filter((id): id is bigint => id !== null)
      .map(Number),
  );
}

/** The releases a run of the tagging (or image) workflow may concern: the one following it, and those waiting for a run, oldest first. */
export function listReleasesForRun(prisma: PrismaClient, options: { runId: number; image: boolean }): Promise<TagRelease[]> {
  const id = BigInt(options.runId);
  const where: Prisma.TagReleaseWhereInput = options.image
    ? { OR: [{ imageRunId: id }, { imageRunId: null, state: { in: ['image_requested', 'image_dispatched'] } }] }
    : { OR: [{ runId: id }, { runId: null, state: { in: ['requested', 'dispatched'] } }] };
  return prisma.tagRelease.findMany({ where, orderBy: { id: 'asc' } });
}

/** Releases tagged at `sha`, waiting for its CI, or for a re-run after it failed. */
export function listTaggedAt(prisma: PrismaClient, sha: string): Promise<TagRelease[]> {
  return prisma.tagRelease.findMany({ where: { state: { in: ['tagged', 'ci_failed'] }, tagSha: sha } });
}

/** Ids of the releases that do not know their tag's commit yet (dispatched, or the run succeeded). */
export async function listReleasesBeforeTag(prisma: PrismaClient): Promise<number[]> {
  const rows = await prisma.tagRelease.findMany({ where: { state: { in: ['dispatched', 'run_succeeded'] } }, select: { id: true } });
  return rows.map((row) => row.id);
}

/** Gives up `userId`'s claim to file the issue of a release (filing failed; the next click may try again). */
export async function releaseIssueClaim(prisma: PrismaClient, releaseId: number, userId: string): Promise<void> {
  await prisma.tagRelease.updateMany({ where: { id: releaseId, issueBy: userId, issueNumber: null }, data: { issueBy: null } });
}

/** A tag pushed without the tagging workflow (`v1.N.P` at `sha`), by `actor`, seen at `now`. */
export interface PushedTag {
  train: number;
  patch: number;
  tag: string;
  sha: string;
  actor: string;
  now: Date;
}

/**
 * Starts watching a tag pushed without the tagging workflow: a new release
 * entered at `tagged`, its notices and audit entry, in one transaction; its
 * first look at `checkAt(row)`. Null when the tag is watched already.
 */
export function startWatchingTag(
  options: PushedTag & { prisma: PrismaClient; notices: NoticeDraft[]; checkAt: (row: TagRelease) => Date | null },
): Promise<TagRelease | null> {
  const { train, patch, tag, sha, actor, now } = options;
  return options.prisma.$transaction(async (tx) => {
    const inserted = await tx.tagRelease.createMany({
      data: [
        {
          train,
          patch,
          tag,
          kind: patch === 0 ? 'train' : 'patch',
          state: 'tagged',
          requestedBy: actor,
          requestedAt: now,
          sourceSha: sha,
          tagSha: sha,
          stateSince: now,
          nextCheckAt: now,
          createdAt: now,
          updatedAt: now,
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count !== 1) return null;
    const row = await tx.tagRelease.findUniqueOrThrow({ where: { tag } });
    await writeNotices(tx, row.id, now, options.notices);
    await recordAudit(tx, { actor, action: 'tag.watch', subject: `tag:${tag}`, details: { train, patch, sha }, at: now });
    return tx.tagRelease.update({ where: { id: row.id }, data: { nextCheckAt: options.checkAt(row) } });
  });
}

// For QA's sign-off (src/qa/) and the dashboard's trains: where each recent train's releases are.

/** The releases of the latest `count` trains the bot cut or watched, newest train first, then newest patch first. */
export async function listRecentTrainReleases(prisma: PrismaClient, count: number): Promise<TagRelease[]> {
  const trains = await prisma.tagRelease.findMany({
    distinct: ['train'],
    orderBy: { train: 'desc' },
    take: count,
    select: { train: true },
  });
  if (trains.length === 0) return [];
  return prisma.tagRelease.findMany({
    where: { train: { in: trains.map((row) => row.train) } },
    orderBy: [{ train: 'desc' }, { patch: 'desc' }],
  });
}

/** A train's releases, newest patch first. */
export function listReleasesOfTrain(prisma: PrismaClient, train: number): Promise<TagRelease[]> {
  return prisma.tagRelease.findMany({ where: { train }, orderBy: { patch: 'desc' } });
}

/** The highest train with a release on stage (not yet in production), if any. */
export async function findTrainOnStage(prisma: PrismaClient): Promise<number | null> {
  const row = await prisma.tagRelease.findFirst({ where: { state: 'on_stage' }, orderBy: [{ train: 'desc' }], select: { train: true } });
  return row?.train ?? null;
}

// For the dashboard (src/status/): the train's thread, and the tagging tables' part of its change fingerprint.

/** The train's thread in the team channel, or null while it has none. */
export async function findTrainThread(options: { prisma: PrismaClient; train: number }): Promise<{ channel: string; ts: string } | null> {
  return options.prisma.trainThread.findUnique({ where: { train: options.train }, select: { channel: true, ts: true } });
}

/** The tagging tables' part of the dashboard's change fingerprint (src/status/status-store.ts): threads are created, never edited. */
export const TAGGING_FINGERPRINT = [
  { table: 'tag_releases', changedAt: ['updatedAt', 'stateSince'] },
  { table: 'train_threads', changedAt: ['createdAt'] },
] as const;
