/**
 * The SRE hand-off: a train's special steps (deploy notes flagged for SRE) go
 * to the SRE contact (`sreContact`: a user group, mentioned in the team
 * channel, or a channel) at the cutoff and again at the tag, with the train
 * and a link to the notes (the cutoff message, which lists them). Once each
 * (keyed per train and moment); nothing when there is no contact or no step.
 */
import type { AppDeps } from '../deps';
import { listNotes } from '../notes/notes-store';
import { renderNoteLines } from '../notes/notes-view';
import { section } from '../slack/blocks';
import { fitMessage, list } from '../slack/budget';
import { link, literal } from '../slack/mrkdwn';
import { formatInZones } from '../train/time-format';
import { reminderEntry, reminderKey } from './message-ledger';

/** A Slack link to a message (or a thread, given its root). */
export function messageUrl(channel: string, ts: string): string {
  return `https://slack.com/archives/${channel}/p${ts.replace('.', '')}`;
}

/** Where the team's link to the notes points: the cutoff message when it was posted, else the channel. */
async function notesLink(deps: AppDeps, train: number): Promise<string> {
  const { settings } = deps.config;
  const cutoff = deps.calendar.getTrain(train).cutoff;
  const record = await deps.messenger.find(
    reminderKey({ train, kind: 'cutoff', scheduledAt: cutoff, recipient: settings.announcementChannel }),
  );
  const where =
    record?.status === 'sent' && record.channel && record.ts ? link(messageUrl(record.channel, record.ts), 'the cutoff message') : null;
  return `All of train ${train}'s deploy notes: ${where ? `${where}, or ` : ''}${literal(`/release notes list ${train}`)}.`;
}

/** Sends train `train`'s special steps to SRE, once per `moment`; returns whether anything was (or had been) sent. */
export async function handOffToSre(options: { deps: AppDeps; train: number; moment: 'cutoff' | 'tag'; now: Date }): Promise<void> {
  const { deps, train, moment, now } = options;
  const { settings } = deps.config;
  const contact = settings.sreContact;
  if (contact === null) return;
  const steps = (await listNotes(deps.db.prisma, train)).filter((note) => note.forSre);
  if (steps.length === 0) return;
  const isGroup = contact.startsWith('S');
  const channel = isGroup ? settings.announcementChannel : contact;
  const schedule = deps.calendar.getTrain(train);
  const who = isGroup ? `<!subteam^${contact}> ` : '';
  const lead =
    moment === 'cutoff'
      ? `:rotating_light: ${who}*Train ${train}* was cut at ${formatInZones(schedule.cutoff, settings.displayTimeZones)} and is being tagged now. ` +
        `Its deploy has ${steps.length} special step${steps.length === 1 ? '' : 's'} for SRE:`
      : `:rotating_light: ${who}*Train ${train}* is tagged; it heads for stage. Its deploy has ${steps.length} special step${steps.length === 1 ? '' : 's'} for SRE:`;
  const message = fitMessage({
    text: `Train ${train}: ${steps.length} special step${steps.length === 1 ? '' : 's'} for SRE (${moment === 'cutoff' ? 'cut' : 'tagged'}).`,
    parts: [
      list(lead, renderNoteLines(steps, { withAuthors: false }), {
        maxBlocks: 4,
        more: (left) => `…and ${left} more (${literal(`/release notes list ${train}`)})`,
      }),
      section(await notesLink(deps, train)),
    ],
  });
  const kind = moment === 'cutoff' ? 'sre-cutoff' : 'sre-tag';
  const outcome = await deps.messenger.postOnce({
    ...reminderEntry({ train, kind, scheduledAt: schedule.cutoff, recipient: contact }),
    to: { channel },
    message,
    now,
  });
  if (outcome.outcome === 'failed') throw new Error(`the SRE hand-off of train ${train} could not be posted: ${outcome.error}`);
}
