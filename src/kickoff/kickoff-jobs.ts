/** The kickoff's scheduled jobs: the announcement, and the confirmation deadline. */
import type { AppDeps } from '../deps';
import type { Settings } from '../config';
import type { ScheduledJob } from '../scheduler';
import type { TrainCalendar } from '../train/calendar';
import { announceTrain, checkKickoffConfirmed } from './announce-train';

const HOUR = 60 * 60 * 1000;

/** Trains whose kickoff (shifted by `offsetMs`) falls in (from, to]. */
function kickoffsBetween(calendar: TrainCalendar, from: Date, to: Date, offsetMs: number): Array<{ train: number; at: Date }> {
  // A train's kickoff is before its cutoff: look at the trains cut from `from` on, plus one.
  const first = calendar.trainInProgress(new Date(from.getTime() - offsetMs)).train;
  const fires: Array<{ train: number; at: Date }> = [];
  for (let train = first; ; train++) {
    const at = new Date(calendar.getTrain(train).kickoff.getTime() + offsetMs);
    if (at > to) break;
    if (at > from) fires.push({ train, at });
  }
  return fires;
}

function trainFiringAt(calendar: TrainCalendar, scheduledAt: Date, offsetMs: number): number {
  const match = kickoffsBetween(calendar, new Date(scheduledAt.getTime() - 1), scheduledAt, offsetMs)[0];
  if (!match) throw new Error(`no train kicks off at ${scheduledAt.toISOString()}`);
  return match.train;
}

export function createKickoffJobs(options: { calendar: TrainCalendar; settings: Settings }): Array<ScheduledJob<AppDeps>> {
  const { calendar, settings } = options;
  const confirmOffset = settings.kickoffConfirmHours * HOUR;
  return [
    {
      name: 'kickoff-announcement',
      graceMs: settings.kickoffGraceMinutes * 60 * 1000,
      firesBetween: (from, to) => kickoffsBetween(calendar, from, to, 0).map((fire) => fire.at),
      async run(deps, { now, scheduledAt }) {
        await announceTrain({ deps, train: trainFiringAt(calendar, scheduledAt, 0), now });
      },
    },
    {
      name: 'kickoff-confirmation-check',
      graceMs: settings.kickoffGraceMinutes * 60 * 1000,
      firesBetween: (from, to) => kickoffsBetween(calendar, from, to, confirmOffset).map((fire) => fire.at),
      async run(deps, { now, scheduledAt }) {
        await checkKickoffConfirmed({ deps, train: trainFiringAt(calendar, scheduledAt, confirmOffset), now });
      },
    },
  ];
}
