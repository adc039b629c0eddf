/**
 * Posting one of the reminders' team-channel messages (check-in, last call,
 * cutoff message): once, under its ledger key; on the last attempt a refusal
 * is recorded instead of left for a retry. Throws when Slack refused it for good.
 */
import type { AppDeps } from '../deps';
import type { PostOutcome, SlackMessage } from '../slack/messenger';
import { type MessageKind, reminderEntry } from './message-ledger';

/** The job's fire, as every channel reminder receives it. */
export interface ReminderFireOptions {
  deps: AppDeps;
  train: number;
  scheduledAt: Date;
  now: Date;
  lastAttempt: boolean;
}

export async function postChannelReminder(
  options: ReminderFireOptions & { kind: MessageKind; message: SlackMessage; what: string },
): Promise<PostOutcome> {
  const { deps, train, scheduledAt, now, kind } = options;
  const channel = deps.config.settings.announcementChannel;
  const outcome = await deps.messenger.postOnce({
    ...reminderEntry({ train, kind, scheduledAt, recipient: channel }),
    to: { channel },
    message: options.message,
    now,
    ...(options.lastAttempt ? { giveUp: true } : {}),
  });
  if (outcome.outcome === 'failed') throw new Error(`the ${options.what} of train ${train} could not be posted: ${outcome.error}`);
  return outcome;
}
