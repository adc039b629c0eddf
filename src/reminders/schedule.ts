/**
 * When the cutoff reminders fire, for each train: the check-in (working days
 * before the cutoff, at a time of day), the PR sweeps (minutes before the
 * cutoff) and the cutoff message (at the cutoff). Pure: computed from the
 * settings and the train calendar, never from the clock.
 */
import { DateTime } from 'luxon';
import type { Settings } from '../config';
import type { TrainCalendar, TrainSchedule } from '../train/calendar';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** A fire of a reminder job: the train it is about and when it fires. */
export interface ReminderFire {
  train: number;
  at: Date;
}

type ReminderSettings = Pick<
  Settings,
  'timeZone' | 'holidays' | 'checkInWorkingDaysBefore' | 'checkInTime' | 'sweepMinutesBeforeCutoff' | 'cadenceDays'
>;

function isWorkingDay(day: DateTime, holidays: ReadonlySet<string>): boolean {
  return day.weekday <= 5 && !holidays.has(day.toISODate() ?? '');
}

/** The check-in of a train: `checkInTime` on the working day `checkInWorkingDaysBefore` before its cut date. */
export function checkInAt(train: TrainSchedule, settings: ReminderSettings): Date {
  const holidays = new Set(settings.holidays);
  let day = DateTime.fromISO(train.cutDate, { zone: settings.timeZone });
  for (let left = settings.checkInWorkingDaysBefore; left > 0; ) {
    day = day.minus({ days: 1 });
    if (isWorkingDay(day, holidays)) left -= 1;
  }
  const [hour = 0, minute = 0] = settings.checkInTime.split(':').map(Number);
  return day.set({ hour, minute, second: 0, millisecond: 0 }).toJSDate();
}

/** The sweeps of a train, earliest first. */
export function sweepsOf(train: TrainSchedule, settings: ReminderSettings): Date[] {
  return [...settings.sweepMinutesBeforeCutoff].sort((a, b) => b - a).map((minutes) => new Date(train.cutoff.getTime() - minutes * MINUTE));
}

/** How far before its cutoff a train's earliest reminder can fire (a generous bound). */
function maxLeadMs(settings: ReminderSettings): number {
  const sweeps = Math.max(0, ...settings.sweepMinutesBeforeCutoff) * MINUTE;
  // Each working day back may cross a weekend and holidays; a run of holidays is shorter than a cadence.
  const checkIn = (settings.checkInWorkingDaysBefore * 3 + settings.cadenceDays + 1) * DAY;
  return Math.max(sweeps, checkIn);
}

/**
 * The fires in (from, to] of one reminder, `fireOf(train)` giving the
 * instant(s) of a train. Every reminder fires at or before its train's
 * cutoff, so only trains cut in (from, to + lead] are looked at.
 */
export function reminderFiresBetween(options: {
  calendar: TrainCalendar;
  settings: ReminderSettings;
  from: Date;
  to: Date;
  fireOf: (train: TrainSchedule) => Date[];
}): ReminderFire[] {
  const { calendar, from, to } = options;
  if (to <= from) return [];
  const horizon = new Date(to.getTime() + maxLeadMs(options.settings));
  const fires: ReminderFire[] = [];
  for (const train of calendar.trainsBetween(from, horizon)) {
    for (const at of options.fireOf(train)) {
      if (at > from && at <= to) fires.push({ train: train.train, at });
    }
  }
  return fires.sort((a, b) => a.at.getTime() - b.at.getTime() || a.train - b.train);
}

/** The train a fire at `scheduledAt` belongs to. Throws when none fires then. */
export function trainFiringAt(options: {
  calendar: TrainCalendar;
  settings: ReminderSettings;
  scheduledAt: Date;
  fireOf: (train: TrainSchedule) => Date[];
}): number {
  const { scheduledAt } = options;
  const match = reminderFiresBetween({ ...options, from: new Date(scheduledAt.getTime() - 1), to: scheduledAt })[0];
  if (!match) throw new Error(`no reminder fires at ${scheduledAt.toISOString()}`);
  return match.train;
}
