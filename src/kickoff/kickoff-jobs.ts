/** The kickoff's scheduled jobs: the announcement, and the confirmation deadline. */
import type { AppDeps } from '../deps';
import type { Settings } from '../config';
import type { ScheduledJob } from '../scheduler';
import type { TrainCalendar } from '../train/calendar';
import { announceTrain, checkKickoffConfirmed } from './announce-train';

const HOUR = 60 * 60 * 1000;
/**
 * After the confirmation deadline the check runs again hourly this many times:
 * an owner announced again later (the first one said "I can't") gets the full
 * `kickoffConfirmHours` before the admins are told.
 */
const CONFIRMATION_RECHECKS = 12;

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

function trainFiringAt(calendar: TrainCalendar, scheduledAt: Date, offsetMs: number | readonly number[]): number {
  for (const offset of [offsetMs].flat()) {
    const match = kickoffsBetween(calendar, new Date(scheduledAt.getTime() - 1), scheduledAt, offset)[0];
    if (match) return match.train;
  }
  throw new Error(`no train kicks off at ${scheduledAt.toISOString()}`);
}

export function createKickoffJobs(options: { calendar: TrainCalendar; settings: Settings }): Array<ScheduledJob<AppDeps>> {
  const { calendar, settings } = options;
  const confirmOffset = settings.kickoffConfirmHours * HOUR;
  const checkOffsets = Array.from({ length: CONFIRMATION_RECHECKS + 1 }, (_, k) => confirmOffset + k * HOUR);
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
      firesBetween: (from, to) =>
        [...new Set(checkOffsets.flatMap((offset) => kickoffsBetween(calendar, from, to, offset).map((fire) => fire.at.getTime())))]
          .sort((a, b) => a - b)
          .map((ms) => new Date(ms)),
      async run(deps, { now, scheduledAt }) {
        await checkKickoffConfirmed({ deps, train: trainFiringAt(calendar, scheduledAt, checkOffsets), now });
      },
    },
  ];
}
