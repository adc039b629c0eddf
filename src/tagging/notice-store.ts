/**
 * The tagging notices' outbox (`tag_release_notices`, written with the change
 * that causes them, see release-store.ts) and the trains' threads
 * (`train_threads`) in PostgreSQL. Whether a notice was posted is the message
 * ledger's answer (src/slack/messenger.ts); `postedAt` tells the flusher which
 * notices are left.
 */
import type { Block } from '../slack/blocks';
import type { PrismaClient } from '../generated/prisma/client';

export interface PendingNotice {
  id: number;
  key: string;
  text: string;
  blocks: Block[];
  /** The milestone it is (the channel sees it too), or null. */
  milestone: string | null;
}

/** Pending: not posted yet, and not claimed by an older version that posted it without the ledger. */
const pending = { postedAt: null, claimedAt: null } as const;

/** The releases with a notice to post, among `releaseIds` (default: all). */
export async function listReleasesWithPendingNotices(prisma: PrismaClient, releaseIds?: number[]): Promise<number[]> {
  const rows = await prisma.tagReleaseNotice.findMany({
    where: { ...pending, ...(releaseIds ? { releaseId: { in: releaseIds } } : {}) },
    select: { releaseId: true },
    distinct: ['releaseId'],
  });
  return rows.map((row) => row.releaseId);
}

export async function countPendingNotices(prisma: PrismaClient, releaseId: number): Promise<number> {
  return prisma.tagReleaseNotice.count({ where: { releaseId, ...pending } });
}

/** A release's notices still to post, in the order they were written. */
export async function listPendingNotices(prisma: PrismaClient, releaseId: number): Promise<PendingNotice[]> {
  const notices = await prisma.tagReleaseNotice.findMany({ where: { releaseId, ...pending }, orderBy: { id: 'asc' } });
  return notices.map((notice) => ({
    id: notice.id,
    key: notice.key,
    text: notice.text,
    blocks: Array.isArray(notice.blocks) ? (notice.blocks as unknown as Block[]) : [],
    milestone: notice.milestone,
  }));
}

/** The train of a release, if it still exists. */
export async function findReleaseTrain(prisma: PrismaClient, releaseId: number): Promise<number | null> {
  const release = await prisma.tagRelease.findUnique({ where: { id: releaseId }, select: { train: true } });
  return release?.train ?? null;
}

/** A notice is out (or Slack refused it for good: `ts` null); the flusher moves on. */
export async function markNoticePosted(prisma: PrismaClient, notice: { id: number; ts: string | null; now: Date }): Promise<void> {
  await prisma.tagReleaseNotice.update({ where: { id: notice.id }, data: { postedAt: notice.now, ts: notice.ts } });
}

export async function findTrainThread(prisma: PrismaClient, train: number): Promise<{ channel: string; ts: string } | null> {
  const thread = await prisma.trainThread.findUnique({ where: { train } });
  return thread ? { channel: thread.channel, ts: thread.ts } : null;
}

export async function recordTrainThread(
  prisma: PrismaClient,
  thread: { train: number; channel: string; ts: string; now: Date },
): Promise<void> {
  await prisma.trainThread.create({ data: { train: thread.train, channel: thread.channel, ts: thread.ts, createdAt: thread.now } });
}
