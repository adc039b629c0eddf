/**
 * The reminders' messages in the message ledger (src/slack/message-ledger.ts):
 * every message they post is keyed by (train, kind, scheduled instant,
 * recipient), so that a retried sweep, a second replica or a restart never
 * posts it again, and a retry continues with the messages not yet sent.
 */
import type { MessageAbout } from '../slack/messenger';

export type MessageKind =
  | 'check-in'
  | 'sweep-dm'
  | 'owner-summary'
  | 'sweep-failed'
  | 'cutoff'
  | 'last-call'
  | 'tag-chase-owner'
  | 'tag-chase-admin'
  | 'sre-cutoff'
  | 'sre-tag';

export interface ReminderMessage {
  train: number;
  kind: MessageKind;
  /** The fire it belongs to (a sweep's instant); the train's cutoff for once-per-train messages. */
  scheduledAt: Date;
  /** Slack user id or channel. */
  recipient: string;
}

/** The ledger key of a reminder (the migration that made the ledger general wrote the same keys for older rows). */
export function reminderKey(message: ReminderMessage): string {
  return `reminders:${message.kind}:${message.train}:${message.scheduledAt.toISOString()}:${message.recipient}`;
}

/** The key and the listing labels of a reminder, for `messenger.postOnce`. */
export function reminderEntry(message: ReminderMessage): { key: string; about: MessageAbout } {
  return { key: reminderKey(message), about: { train: message.train, kind: message.kind, scheduledAt: message.scheduledAt } };
}
