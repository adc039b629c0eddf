// The train being cut: from its cutoff until its tag exists, a train is still
// the team's business (its owner tags it, its notes and PR answers matter),
// although `main` already builds the next one. Pure: `now` and what is known
// to be tagged are arguments.

import type { TrainCalendar, TrainSchedule } from './calendar';

/**
 * The train whose cutoff has passed at `now` and which is not tagged yet, or
 * null. Only the train just before the one in progress can be in its cut (a
 * train two cutoffs back that is still untagged means the calendar or the
 * tags are off, which the dashboard says). `taggedTrains` lists trains known
 * to be tagged (from GitHub's tags and the bot's own record); a later train
 * tagged means the earlier ones were cut too.
 */
export function trainInCut(calendar: TrainCalendar, now: Date, taggedTrains: Iterable<number>): TrainSchedule | null {
  const previous = calendar.getTrain(calendar.trainInProgress(now).train - 1);
  for (const tagged of taggedTrains) if (tagged >= previous.train) return null;
  return previous;
}
