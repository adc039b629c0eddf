/**
 * After the cutoff, until the train is tagged: chasing and the SRE hand-off at
 * the tag. A job fires every few minutes for `FOLLOW_UP_HOURS` after each
 * cutoff (exactly once across replicas, like every job); each fire:
 *
 * - once the train is tagged (the bot's record of its cut, or the tag on
 *   GitHub), sends its special steps to SRE (once, sre-handoff.ts);
 * - while it is not, and no cut is under way: `tagChase.ownerAfterMinutes`
 *   after the cutoff its owner gets a DM, and `tagChase.adminsAfterMinutes`
 *   after that the admins do (straight away when the train has no owner).
 *   Each DM once (keyed per train and person). GitHub is asked only when a DM
 *   is about to go out, so a train tagged by hand is not chased.
 */
import type { AppDeps } from '../deps';
import { listNotes } from '../notes/notes-store';
import { findOwnerOfTrain } from '../rotation/owner';
import { pruneFires } from '../scheduler';
import { section } from '../slack/blocks';
import { mentionUser } from '../slack/mrkdwn';
import { findTrainCut } from '../tagging/release-store';
import type { TrainCalendar } from '../train/calendar';
import { formatCountdown, formatInZones } from '../train/time-format';
import { reminderEntry, reminderKey } from './message-ledger';
import { handOffToSre } from './sre-handoff';
import { findTrainBeingCut, isTaggedState } from './train-being-cut';

const MINUTE = 60_000;
/** How often the follow-up looks, in minutes. */
export const FOLLOW_UP_EVERY_MINUTES = 5;
/** How long after a cutoff the follow-up looks (a train untagged by then is the admins' business already). */
export const FOLLOW_UP_HOURS = 24;
/** States of a cut under way: nobody is chased while the workflow runs. */
const UNDER_WAY = new Set(['requested', 'dispatched', 'run_succeeded']);

/** The follow-up's fires in (from, to]: every few minutes within `FOLLOW_UP_HOURS` after each cutoff. */
export function followUpFiresBetween(calendar: TrainCalendar, from: Date, to: Date): Array<{ train: number; at: Date }> {
  const step = FOLLOW_UP_EVERY_MINUTES * MINUTE;
  const window = FOLLOW_UP_HOURS * 60 * MINUTE;
  const fires: Array<{ train: number; at: Date }> = [];
  for (const train of calendar.trainsBetween(new Date(from.getTime() - window), to)) {
    const start = train.cutoff.getTime();
    const first = Math.max(start + step, start + Math.floor((from.getTime() - start) / step) * step + step);
    for (let t = first; t <= Math.min(to.getTime(), start + window); t += step) fires.push({ train: train.train, at: new Date(t) });
  }
  return fires.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** One look at `train` after its cutoff. */
export async function followUpCut(options: { deps: AppDeps; train: number; now: Date }): Promise<void> {
  const { deps, train, now } = options;
  const { settings } = deps.config;
  const schedule = deps.calendar.getTrain(train);
  const cut = await findTrainCut(deps.db.prisma, train);
  if (cut && isTaggedState(cut.state)) {
    await handOffToSre({ deps, train, moment: 'tag', now });
    return;
  }
  if (cut && UNDER_WAY.has(cut.state)) return;
  const ownerAt = new Date(schedule.cutoff.getTime() + settings.tagChase.ownerAfterMinutes * MINUTE);
  const adminsAt = new Date(ownerAt.getTime() + settings.tagChase.adminsAfterMinutes * MINUTE);
  const owner = await findOwnerOfTrain(deps, train);
  const unsent = now < ownerAt ? [] : await unsentChases({ deps, train, owner, now, admins: !owner || now >= adminsAt });
  const sreWaits = await sreHandOffWaits(deps, train);
  if (unsent.length === 0 && !sreWaits) return;
  // Tagged by hand (or by a run the bot has not followed)? Then SRE hears of it and nobody is chased.
  if ((await findTrainBeingCut({ deps, now, askGitHub: true }))?.train !== train) {
    if (deps.calendar.trainInProgress(now).train - 1 === train) await handOffToSre({ deps, train, moment: 'tag', now });
    return;
  }
  const since = `its cutoff was ${formatInZones(schedule.cutoff, settings.displayTimeZones)}, ${formatCountdown(schedule.cutoff, now)} ago`;
  for (const item of unsent) {
    const text =
      item.kind === 'tag-chase-owner'
        ? `:hourglass: *Train ${train} is not tagged yet*: ${since}. Cut it with \`/release tag\` (it shows what made it, and anything merged after the cutoff).`
        : `:hourglass: *Train ${train} is still not tagged*: ${since}. ` +
          (owner ? `Its owner ${mentionUser(owner)} was reminded by DM. ` : 'It has no owner assigned. ') +
          'As an admin you can cut it with `/release tag`.';
    const outcome = await deps.messenger.postOnce({
      ...reminderEntry({ train, kind: item.kind, scheduledAt: schedule.cutoff, recipient: item.user }),
      to: { user: item.user },
      message: { text: text.replace(/[*`]/g, ''), blocks: [section(text)] },
      now,
    });
    if (outcome.outcome === 'failed')
      deps.logger.warn({ train, user: item.user, error: outcome.error }, 'reminders: a tag chase DM could not be sent');
  }
}

type Chase = { kind: 'tag-chase-owner' | 'tag-chase-admin'; user: string };

/** The chasing DMs due and not sent yet: the owner's, and the admins' when `admins` (the owner is not DMed twice). */
async function unsentChases(options: { deps: AppDeps; train: number; owner: string | null; now: Date; admins: boolean }): Promise<Chase[]> {
  const { deps, train, owner, now } = options;
  const cutoff = deps.calendar.getTrain(train).cutoff;
  const due: Chase[] = owner ? [{ kind: 'tag-chase-owner', user: owner }] : [];
  if (options.admins) {
    for (const admin of await deps.admins.listAdmins(now)) if (admin !== owner) due.push({ kind: 'tag-chase-admin', user: admin });
  }
  const unsent: Chase[] = [];
  for (const item of due) {
    if (!(await deps.messenger.find(reminderKey({ train, kind: item.kind, scheduledAt: cutoff, recipient: item.user })))) unsent.push(item);
  }
  return unsent;
}

/** Whether SRE is still to hear of the train's special steps at its tag (a contact is set, steps exist, not sent yet). */
async function sreHandOffWaits(deps: AppDeps, train: number): Promise<boolean> {
  const contact = deps.config.settings.sreContact;
  if (contact === null) return false;
  const cutoff = deps.calendar.getTrain(train).cutoff;
  if (await deps.messenger.find(reminderKey({ train, kind: 'sre-tag', scheduledAt: cutoff, recipient: contact }))) return false;
  return (await listNotes(deps.db.prisma, train)).some((note) => note.forSre);
}

/** Keeps the follow-up's own ledger rows for a day (it fires every few minutes). */
export async function pruneFollowUpFires(deps: AppDeps, job: string, now: Date): Promise<void> {
  await pruneFires({ sql: deps.db.sql, job, before: new Date(now.getTime() - FOLLOW_UP_HOURS * 60 * MINUTE) });
}
