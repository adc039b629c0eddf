/**
 * Posts the notice outbox: messages written with the change that causes them
 * (see release-store.ts), posted in the train's thread in order, each once
 * (through the messenger, keyed by the notice). A post Slack fails for a
 * passing reason stops the flush (keeping the order) and the next flush tries
 * again, while a notice left by a process that died mid-post is never posted
 * again (at most once: never twice). A milestone (`milestones.kinds`) is
 * also seen in the channel: broadcast from the thread, or posted there too
 * (`milestones.visibility`).
 */
import type { AppDeps } from '../deps';
import { tryWithAdvisoryLock } from '../db/locks';
import { context, type Block } from '../slack/blocks';
import {
  countPendingNotices,
  findReleaseTrain,
  listPendingNotices,
  listReleasesWithPendingNotices,
  markNoticePosted,
  type PendingNotice,
} from './notice-store';
import { ensureTrainThread, type TrainThreadRef } from './train-thread';

/** How a notice is seen beyond the thread: broadcast, a channel post too, or not at all (not a milestone, or not one the settings name). */
function milestoneVisibility(deps: AppDeps, milestone: string | null): 'broadcast' | 'channel' | 'thread' {
  const { milestones } = deps.config.settings;
  if (milestone === null || !milestones.kinds.some((kind) => kind === milestone)) return 'thread';
  return milestones.visibility;
}

/** A milestone's post in the channel: the notice, and a link to the train's thread. */
function channelCopy(notice: PendingNotice, thread: TrainThreadRef): { text: string; blocks: Block[] } {
  const link = `<https://slack.com/archives/${thread.channel}/p${thread.ts.replace('.', '')}|the train's thread>`;
  return { text: notice.text, blocks: [...notice.blocks, context(`More in ${link}.`)] };
}

/** Posts the pending notices of `releaseIds` (default: every release with one). Never throws for Slack failures. */
export async function flushNotices(options: { deps: AppDeps; now: Date; releaseIds?: number[] }): Promise<void> {
  const { deps, now } = options;
  for (const releaseId of await listReleasesWithPendingNotices(deps.db.prisma, options.releaseIds)) {
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
    if ((await countPendingNotices(deps.db.prisma, releaseId)) === 0) return;
  }
}

async function flushReleaseOnce(deps: AppDeps, releaseId: number, now: Date): Promise<'flushed' | 'busy' | 'failed'> {
  const logger = deps.logger.child({ module: 'tagging', releaseId });
  const run = await tryWithAdvisoryLock(
    deps.db.sql,
    { namespace: 'releaseNotices', id: releaseId },
    async (): Promise<'flushed' | 'failed'> => {
      const train = await findReleaseTrain(deps.db.prisma, releaseId);
      if (train === null) return 'failed';
      const notices = await listPendingNotices(deps.db.prisma, releaseId);
      // The thread is found (or started) once per flush, by the first notice that is posted.
      let thread: Awaited<ReturnType<typeof ensureTrainThread>> | undefined;
      for (const notice of notices) {
        let ts: string | null;
        try {
          thread ??= await ensureTrainThread({ deps, train, now });
          const visibility = milestoneVisibility(deps, notice.milestone);
          const outcome = await deps.messenger.postOnce({
            key: `tagging:notice:${notice.id}`,
            about: { train, kind: 'tag-notice' },
            to: { channel: thread.channel },
            threadTs: thread.ts,
            ...(visibility === 'broadcast' ? { broadcast: true } : {}),
            message: { text: notice.text, blocks: notice.blocks },
            now,
          });
          if (visibility === 'channel' && outcome.outcome !== 'failed') {
            await deps.messenger.postOnce({
              key: `tagging:notice:${notice.id}:channel`,
              about: { train, kind: 'tag-milestone' },
              to: { channel: thread.channel },
              message: channelCopy(notice, thread),
              now,
            });
          }
          if (outcome.outcome === 'failed')
            logger.warn({ notice: notice.key, error: outcome.error }, 'tagging: Slack refused a notice for good; moving on');
          ts = outcome.outcome === 'posted' ? outcome.ts || null : outcome.outcome === 'already' ? outcome.record.ts : null;
        } catch (error) {
          // Not posted (the messenger gave its claim back): the next flush tries again, keeping the order.
          logger.warn({ err: error, notice: notice.key }, 'tagging: could not post a notice in the train thread; will try again');
          return 'failed';
        }
        // Posted: should recording it fail, the ledger still knows, and the notice is not posted again.
        await markNoticePosted(deps.db.prisma, { id: notice.id, ts, now });
      }
      return 'flushed';
    },
  );
  // Another flusher is posting this release's notices; it looks again when it is done.
  return run.locked ? run.value : 'busy';
}
