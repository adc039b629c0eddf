/**
 * One thread per train in the team channel: the kickoff announcement when
 * there is one, otherwise a message posted at first need. Created once across
 * replicas (an advisory lock per train), remembered in `train_threads`.
 */
import type { AppDeps } from '../deps';
import { withAdvisoryLock } from '../db/locks';
import { section } from '../slack/blocks';

export interface TrainThreadRef {
  channel: string;
  ts: string;
}

/** The train's thread, creating it (or adopting the kickoff announcement) the first time. */
export async function ensureTrainThread(options: { deps: AppDeps; train: number; now: Date }): Promise<TrainThreadRef> {
  const { deps, train, now } = options;
  const known = await deps.db.prisma.trainThread.findUnique({ where: { train } });
  if (known) return { channel: known.channel, ts: known.ts };
  return withAdvisoryLock(deps.db.sql, { namespace: 'trainThread', id: train }, async () => {
    const again = await deps.db.prisma.trainThread.findUnique({ where: { train } });
    if (again) return { channel: again.channel, ts: again.ts };
    const assignment = await deps.db.prisma.trainAssignment.findUnique({ where: { train } });
    let thread: TrainThreadRef;
    if (assignment?.announcementTs && assignment.announcementChannel) {
      thread = { channel: assignment.announcementChannel, ts: assignment.announcementTs };
    } else {
      const text = `:steam_locomotive: *Train ${train}*: tagging, CI and stage, in this thread.`;
      const posted = await deps.slack.chat.postMessage({
        channel: deps.config.settings.announcementChannel,
        text: `Train ${train}: tagging, CI and stage, in this thread.`,
        blocks: [section(text)],
        unfurl_links: false,
      });
      if (!posted.ts || !posted.channel) throw new Error(`Slack did not return the ts of train ${train}'s thread`);
      thread = { channel: posted.channel, ts: posted.ts };
    }
    await deps.db.prisma.trainThread.create({ data: { train, channel: thread.channel, ts: thread.ts, createdAt: now } });
    return thread;
  });
}
