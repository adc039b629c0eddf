/**
 * Posts the notice outbox: messages written with the change that causes them
 * (see release-store.ts), posted in the train's thread in order, each once.
 * A notice is claimed before it is posted; a failed post releases the claim so
 * that the next flush tries again, while a claim left by a process that died
 * mid-post is never posted again (at most once: never twice).
 */
import type { AppDeps } from '../deps';
import { tryWithAdvisoryLock } from '../db/locks';
import type { Block } from '../slack/blocks';
import { ensureTrainThread } from './train-thread';

/** Posts the pending notices of `releaseIds` (default: every release with one). Never throws for Slack failures. */
export async function flushNotices(options: { deps: AppDeps; now: Date; releaseIds?: number[] }): Promise<void> {
  const { deps, now } = options;
  const pending = await deps.db.prisma.tagReleaseNotice.findMany({
    where: { postedAt: null, claimedAt: null, ...(options.releaseIds ? { releaseId: { in: options.releaseIds } } : {}) },
    select: { releaseId: true },
    distinct: ['releaseId'],
  });
  for (const { releaseId } of pending) {
    await flushRelease(deps, releaseId, now);
  }
}

/**
 * Posts one release's pending notices. A flusher that finds another one busy
 * leaves its notices to it: the busy one looks again after it lets go of the
 * lock, so a notice written while it was posting is not left for the next tick.
 */
async function flushRelease(deps: AppDeps, releaseId: number, now: Date): Promise<void> {
  for (;;) {
    const outcome = await flushReleaseOnce(deps, releaseId, now);
    if (outcome !== 'flushed') return;
    const waiting = await deps.db.prisma.tagReleaseNotice.count({ where: { releaseId, postedAt: null, claimedAt: null } });
    if (waiting === 0) return;
  }
}

async function flushReleaseOnce(deps: AppDeps, releaseId: number, now: Date): Promise<'flushed' | 'busy' | 'failed'> {
  const logger = deps.logger.child({ module: 'tagging', releaseId });
  const run = await tryWithAdvisoryLock(deps.db.sql, { namespace: 'releaseNotices', id: releaseId }, async (): Promise<'flushed' | 'failed'> => {
    const release = await deps.db.prisma.tagRelease.findUnique({ where: { id: releaseId }, select: { train: true } });
    if (!release) return 'failed';
    const notices = await deps.db.prisma.tagReleaseNotice.findMany({ where: { releaseId, postedAt: null, claimedAt: null }, orderBy: { id: 'asc' } });
    // The thread is found (or started) once per flush, by the first notice that is posted.
    let thread: Awaited<ReturnType<typeof ensureTrainThread>> | undefined;
    for (const notice of notices) {
      const claimed = await deps.db.prisma.tagReleaseNotice.updateMany({ where: { id: notice.id, claimedAt: null }, data: { claimedAt: now } });
      if (claimed.count !== 1) continue;
      let ts: string | null;
      try {
        thread ??= await ensureTrainThread({ deps, train: release.train, now });
        const blocks = Array.isArray(notice.blocks) ? (notice.blocks as unknown as Block[]) : [];
        const posted = await deps.slack.chat.postMessage({
          channel: thread.channel,
          thread_ts: thread.ts,
          text: notice.text,
          ...(blocks.length > 0 ? { blocks } : {}),
          unfurl_links: false,
        });
        ts = posted.ts ?? null;
      } catch (error) {
        // Not posted: release the claim so the next flush tries again, keeping the order.
        await deps.db.prisma.tagReleaseNotice.update({ where: { id: notice.id }, data: { claimedAt: null } });
        logger.warn({ err: error, notice: notice.key }, 'tagging: could not post a notice in the train thread; will try again');
        return 'failed';
      }
      // Posted: should recording it fail, the claim stays and the notice is not posted again.
      await deps.db.prisma.tagReleaseNotice.update({ where: { id: notice.id }, data: { postedAt: now, ts } });
    }
    return 'flushed';
  });
  // Another flusher is posting this release's notices; it looks again when it is done.
  return run.locked ? run.value : 'busy';
}
