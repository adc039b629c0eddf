/**
 * The release owner's summary of a train's sweeps: ONE direct message per
 * train, posted by the first sweep and updated in place (the messenger's `update`) by
 * later sweeps and by every answer. Refreshes of one train take turns (an
 * advisory lock, across replicas), so the last update shows every answer; a
 * summary someone deleted is posted again.
 */
import type { AppDeps } from '../deps';
import { withAdvisoryLock } from '../db/locks';
import { slackErrorCode } from '../slack/messenger';
import { loadAnswers, loadSweptPullRequests } from './answer-store';
import { reminderEntry, type ReminderMessage } from './message-ledger';
import { renderOwnerSummary } from './views';

/** The ledger entry of a train's summary: one per train and owner, keyed on the cutoff. */
export function summaryMessage(deps: AppDeps, train: number, ownerSlackId: string): ReminderMessage {
  return { train, kind: 'owner-summary', scheduledAt: deps.calendar.getTrain(train).cutoff, recipient: ownerSlackId };
}

/**
 * Renders the summary of `train` from the database and posts it (`create`:
 * the sweeps) or updates it. Without a summary posted yet and without
 * `create` (an answer came first), nothing is posted.
 */
export async function refreshOwnerSummary(options: {
  deps: AppDeps;
  train: number;
  ownerSlackId: string | null;
  now: Date;
  create: boolean;
  cut?: boolean;
  giveUp?: boolean;
}): Promise<void> {
  const { deps, train, ownerSlackId, now } = options;
  if (!ownerSlackId) {
    deps.logger.warn({ train }, 'reminders: train has no owner; no summary to post');
    return;
  }
  const { key, about } = reminderEntry(summaryMessage(deps, train, ownerSlackId));
  const { messenger } = deps;
  await withAdvisoryLock(deps.db.sql, { namespace: 'ownerSummary', id: train }, async () => {
    const [swept, answers, dms] = await Promise.all([
      loadSweptPullRequests(deps.db.prisma, train),
      loadAnswers(deps.db.prisma, train),
      messenger.list({ train, kind: 'sweep-dm' }),
    ]);
    const latestSweepAt = swept.reduce<Date | null>(
      (latest, pr) => (latest === null || pr.lastSweepAt > latest ? pr.lastSweepAt : latest),
      null,
    );
    const undelivered = dms
      .filter((dm) => dm.status !== 'sent' && latestSweepAt !== null && dm.scheduledAt?.getTime() === latestSweepAt.getTime())
      .map((dm) => ({ slackUserId: dm.recipient, error: dm.status === 'failed' ? (dm.error ?? 'failed') : 'not confirmed by Slack' }));
    const message = renderOwnerSummary(
      { train: deps.calendar.getTrain(train), swept, answers, latestSweepAt, undelivered, cut: options.cut ?? false },
      deps.config.settings,
      now,
    );
    const existing = await messenger.find(key);
    if (existing?.status === 'sent' && existing.channel && existing.ts) {
      try {
        await messenger.update({ channel: existing.channel, ts: existing.ts, message });
        return;
      } catch (error) {
        if (slackErrorCode(error) !== 'message_not_found') throw error;
        // Someone deleted it: post it again and remember the new one.
        deps.logger.info({ train }, 'reminders: the owner summary was deleted; posting it again');
        await messenger.repost({ key, to: { user: ownerSlackId }, message, now });
        return;
      }
    }
    if (existing || !options.create) return;
    await messenger.postOnce({ key, about, to: { user: ownerSlackId }, message, now, ...(options.giveUp ? { giveUp: true } : {}) });
  });
}
