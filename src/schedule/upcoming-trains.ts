/** The next trains with kickoff, cutoff and owner: what `/release schedule` and the CLI show. */
import type { PrismaClient } from '../generated/prisma/client';
import { loadRoster, planFromSnapshot } from '../rotation/roster-store';
import type { TrainCalendar, TrainSchedule } from '../train/calendar';

export interface UpcomingTrain extends TrainSchedule {
  /** Slack user id of the owner, null when nobody is assigned. */
  owner: string | null;
  /** The owner's name as on the roster. */
  ownerName: string | null;
}

/** At most this many trains in one listing. */
export const MAX_SCHEDULE_COUNT = 26;

/** `count` trains from the one in progress at `from`, with owners when a database is given. */
export async function listUpcomingTrains(options: {
  calendar: TrainCalendar;
  from: Date;
  count: number;
  prisma: PrismaClient | null;
}): Promise<UpcomingTrain[]> {
  const trains = options.calendar.upcomingTrains(options.from, options.count);
  const first = trains[0];
  const last = trains.at(-1);
  if (!options.prisma || !first || !last) return trains.map((train) => ({ ...train, owner: null, ownerName: null }));
  const snapshot = await loadRoster(options.prisma);
  const plan = planFromSnapshot(snapshot, options.calendar, first.train, last.train);
  const names = new Map(snapshot.members.map((m) => [m.slackUserId, m.displayName]));
  return trains.map((train) => {
    const owner = plan.find((p) => p.train === train.train)?.slackUserId ?? null;
    return { ...train, owner, ownerName: owner ? (names.get(owner) ?? owner) : null };
  });
}
