/**
 * One thread per train in the team channel: the kickoff announcement when
 * there is one, otherwise a message posted at first need (through the
 * messenger: at most once). Created once across replicas (an advisory lock
 * per train), remembered in `train_threads`.
 */
import type { AppDeps } from '../deps';
import { withAdvisoryLock } from '../db/locks';
import { findTrainAssignment } from '../rotation/roster-store';
import { section } from '../slack/blocks';
import { findTrainThread, recordTrainThread } from './notice-store';

export interface TrainThreadRef {
  channel: string;
  ts: string;
}

/** The train's thread, creating it (or adopting the kickoff announcement) the first time. */
export async function ensureTrainThread(options: { deps: AppDeps; train: number; now: Date }): Promise<TrainThreadRef> {
  const { deps, train, now } = options;
  const known = await findTrainThread(deps.db.prisma, train);
  if (known) return known;
  return withAdvisoryLock(deps.db.sql, { namespace: 'trainThread', id: train }, async () => {
    const again = await findTrainThread(deps.db.prisma, train);
    if (again) return again;
    const assignment = await findTrainAssignment(deps.db.prisma, train);
    const thread =
      assignment?.announcementTs && assignment.announcementChannel
        ? { channel: assignment.announcementChannel, ts: assignment.announcementTs }
        : await startThread(deps, train, now);
    await recordTrainThread(deps.db.prisma, { train, ...thread, now });
    return thread;
  });
}

/**
 * Posts the message that starts a train's thread. Should an earlier attempt
 * have died while Slack posted it (its ts unknown), a second one is posted
 * once, under its own key: notices need a thread to go in.
 */
async function startThread(deps: AppDeps, train: number, now: Date): Promise<TrainThreadRef> {
  const text = `:steam_locomotive: *Train ${train}*: tagging, CI and stage, in this thread.`;
  for (const key of [`tagging:train-thread:${train}`, `tagging:train-thread:${train}:again`]) {
    const outcome = await deps.messenger.postOnce({
      key,
      about: { train, kind: 'train-thread' },
      to: { channel: deps.config.settings.announcementChannel },
      message: { text: `Train ${train}: tagging, CI and stage, in this thread.`, blocks: [section(text)] },
      now,
    });
    if (outcome.outcome === 'posted') {
      if (!outcome.ts) break;
      return { channel: outcome.channel, ts: outcome.ts };
    }
    if (outcome.outcome === 'already' && outcome.record.status === 'sent' && outcome.record.channel && outcome.record.ts) {
      return { channel: outcome.record.channel, ts: outcome.record.ts };
    }
    if (outcome.outcome === 'failed') throw new Error(`Slack refused to start train ${train}'s thread: ${outcome.error}`);
  }
  throw new Error(`Slack did not return the ts of train ${train}'s thread`);
}
