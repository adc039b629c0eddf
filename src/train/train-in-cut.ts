// The train being cut: from its cutoff until its tag exists, a train is still
// the team's business (its owner tags it, its notes and PR answers matter),
// although `main` already builds the next one. Pure: `now` and what is known
// to be tagged are arguments.

import type { TrainCalendar, TrainSchedule } from './calendar';

/**
 * The train whose cutoff has passed at `now` and which is not tagged yet, or
 * null. `taggedTrains` lists trains known to be tagged (from GitHub's tags and
 * the bot's own record). Only the train just before the one in progress can be
 * in its cut, and only when the latest train known to be tagged is the one
 * before it: with nothing known, or a train further back untagged, the
 * calendar or the tags are off (which the dashboard says) and no cut is assumed.
 */
export function trainInCut(calendar: TrainCalendar, now: Date, taggedTrains: Iterable<number>): TrainSchedule | null {
  const previous = calendar.getTrain(calendar.trainInProgress(now).train - 1);
  let latest: number | null = null;
  for (const tagged of taggedTrains) if (latest === null || tagged > latest) latest = tagged;
  return latest === previous.train - 1 ? previous : null;
}
