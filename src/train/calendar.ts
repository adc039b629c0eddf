// The train calendar: when each train kicks off and when it is cut.
// Pure: every question about "now" takes `now` as an argument.
//
// Model. Cut dates live on a grid of *slots*: slot k is the local date
// `anchor.cutDate + k × cadenceDays` (calendar days in `timeZone`, so DST
// never shifts a cutoff's wall-clock time). The anchor train sits in slot 0;
// later trains take the following free slots in order, earlier trains the
// preceding free slots. A slot is not free when it is *skipped* (see
// `CalendarSettings.skips`). A train's cutoff is `cutoffTime` on its slot's
// date, moved to the next working day when that date is a weekend or a
// holiday (this never moves other trains).

import { DateTime, IANAZone } from 'luxon';

/** Settings of the train calendar (FxA defaults in `DEFAULT_CALENDAR_SETTINGS`). */
export interface CalendarSettings {
  /**
   * A known train and the local date (YYYY-MM-DD, in `timeZone`) of its slot.
   * That date is treated like any slot date: should it be a weekend or
   * holiday, the anchor train's cutoff moves to the next working day too.
   */
  readonly anchor: { readonly train: number; readonly cutDate: string };
  /** Days between two slots: 14 for FxA. A whole number from 7 to 365. */
  readonly cadenceDays: number;
  /** Local time of the cutoff, 24-hour `HH:mm` ('10:00'). */
  readonly cutoffTime: string;
  /** IANA time zone the dates and times are in ('America/Los_Angeles'). */
  readonly timeZone: string;
  /**
   * Local time of a train's kickoff, 24-hour `HH:mm` ('09:00'). The kickoff is
   * on the first working day after the previous train's cut date.
   */
  readonly kickoffTime: string;
  /**
   * Slots left empty (e.g. a holiday break). Either the slot's date
   * ('YYYY-MM-DD', which must be on the slot grid and not the anchor's date):
   * that slot carries no train; or a train number T: one empty slot is
   * inserted just before train T, so T (for T > anchor) is cut one cadence
   * later than it would have been. Either way every later train shifts by one
   * cadence. Skips before the anchor work symmetrically: the anchor never
   * moves, so a skip before it makes the *earlier* trains one cadence
   * earlier (a number T ≤ anchor inserts the empty slot between T − 1 and T).
   * Duplicate entries count once; list several dates for a longer break.
   */
  readonly skips: ReadonlyArray<string | number>;
  /**
   * Local dates ('YYYY-MM-DD') that are not working days. A cutoff (or
   * kickoff) falling on one, or on a weekend, moves to the next working day
   * (Mon–Fri, not a holiday) without moving any other train. A run of
   * non-working days containing a holiday must be shorter than the cadence
   * (use `skips` for longer breaks).
   */
  readonly holidays: ReadonlyArray<string>;
}

/** Calendar settings where everything but the anchor may be left to the FxA defaults. */
export type CalendarSettingsInput = Pick<CalendarSettings, 'anchor'> & Partial<Omit<CalendarSettings, 'anchor'>>;

/** The FxA defaults: every other Wednesday (given the anchor), 10:00 Pacific, kickoff 09:00. */
export const DEFAULT_CALENDAR_SETTINGS: Readonly<Omit<CalendarSettings, 'anchor'>> = Object.freeze({
  cadenceDays: 14,
  cutoffTime: '10:00',
  timeZone: 'America/Los_Angeles',
  kickoffTime: '09:00',
  skips: [],
  holidays: [],
});

/** Thrown for invalid calendar settings; `field` names the offending setting. */
export class CalendarSettingsError extends Error {
  /** The setting at fault, e.g. 'timeZone', 'anchor.cutDate', 'skips'. */
  readonly field: string;

  /** @param field the setting at fault; @param message what is wrong with it. */
  constructor(field: string, message: string) {
    super(`Invalid calendar setting ${field}: ${message}`);
    this.name = 'CalendarSettingsError';
    this.field = field;
  }
}

/** When one train kicks off and is cut. */
export interface TrainSchedule {
  /** Train number. */
  readonly train: number;
  /**
   * Kickoff instant: `kickoffTime` on the first working day after the previous
   * train's cut date (never later than `cutoff`, which only matters when holidays
   * nearly fill a cadence).
   */
  readonly kickoff: Date;
  /** Cutoff instant: PRs merged to main before it ride this train. */
  readonly cutoff: Date;
  /** Local date (YYYY-MM-DD, in the calendar's zone) of the cutoff. */
  readonly cutDate: string;
  /** Local date of the train's slot; differs from `cutDate` when a weekend or holiday moved the cutoff. */
  readonly nominalCutDate: string;
}

/** A train calendar built from validated settings. All methods are pure. */
export interface TrainCalendar {
  /** The validated settings, defaults filled in. */
  readonly settings: CalendarSettings;
  /** Kickoff and cutoff of train `n` (any safe integer, before or after the anchor). */
  getTrain(n: number): TrainSchedule;
  /**
   * The train `main` is building at `now`: the lowest train whose cutoff is
   * strictly after `now` (at the exact cutoff instant that train is cut and
   * the next one is in progress).
   */
  trainInProgress(now: Date): TrainSchedule;
  /** The next `count` trains, starting with `trainInProgress(now)`. */
  upcomingTrains(now: Date, count: number): TrainSchedule[];
  /**
   * The trains cut during `(from, to]`: cutoff strictly after `from` and at
   * or before `to`, in order. Empty when `to` is not after `from`.
   */
  trainsBetween(from: Date, to: Date): TrainSchedule[];
}

const MAX_LIST = 10_000;
const CACHE_SIZE = 4096;
const DATE_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const TIME_PATTERN = /^([01]?[0-9]|2[0-3]):([0-5][0-9])$/;

interface LocalTime {
  readonly hour: number;
  readonly minute: number;
}

/** A calendar date as a luxon DateTime at midnight UTC (a zone-free day). */
type Day = DateTime<true>;

function parseDay(value: unknown, field: string): Day {
  if (typeof value !== 'string' || !DATE_PATTERN.test(value)) {
    throw new CalendarSettingsError(field, `expected a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  const day = DateTime.fromISO(value, { zone: 'utc' });
  if (!day.isValid) throw new CalendarSettingsError(field, `"${value}" is not a real date`);
  return day;
}

function parseTime(value: unknown, field: string): LocalTime {
  const match = typeof value === 'string' ? TIME_PATTERN.exec(value) : null;
  if (match === null) {
    throw new CalendarSettingsError(field, `expected a 24-hour time HH:mm, got ${JSON.stringify(value)}`);
  }
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

function isoDay(day: Day): string {
  return day.toISODate();
}

const MILLIS_PER_UTC_DAY = 86_400_000;

/** Whole calendar days from one Day to another (both UTC midnights, so exact: UTC has no DST). */
function daysBetween(from: Day, to: Day): number {
  return Math.round((to.toMillis() - from.toMillis()) / MILLIS_PER_UTC_DAY);
}

interface ResolvedSettings {
  readonly settings: CalendarSettings;
  readonly anchorDay: Day;
  readonly cutoffTime: LocalTime;
  readonly kickoffTime: LocalTime;
  readonly holidays: ReadonlySet<string>;
  readonly dateSkipSlots: ReadonlySet<number>;
  readonly numberSkips: readonly number[];
}

function isWorkingDay(day: Day, holidays: ReadonlySet<string>): boolean {
  return day.weekday <= 5 && !holidays.has(isoDay(day));
}

/**
 * Checks calendar settings and fills in the FxA defaults. Throws
 * `CalendarSettingsError` naming the field at fault (`anchor`, `anchor.train`,
 * `anchor.cutDate`, `cadenceDays`, `cutoffTime`, `kickoffTime`, `timeZone`,
 * `skips`, `holidays`).
 */
export function validateCalendarSettings(input: CalendarSettingsInput): CalendarSettings {
  return resolveSettings(input).settings;
}

function resolveSettings(input: CalendarSettingsInput): ResolvedSettings {
  const anchor: unknown = input.anchor;
  if (typeof anchor !== 'object' || anchor === null) {
    throw new CalendarSettingsError('anchor', 'expected { train, cutDate }');
  }
  const anchorTrain: unknown = input.anchor.train;
  if (typeof anchorTrain !== 'number' || !Number.isSafeInteger(anchorTrain) || anchorTrain < 0) {
    throw new CalendarSettingsError('anchor.train', `expected a non-negative whole number, got ${JSON.stringify(anchorTrain)}`);
  }
  const anchorDay = parseDay(input.anchor.cutDate, 'anchor.cutDate');

  const cadenceDays: unknown = input.cadenceDays ?? DEFAULT_CALENDAR_SETTINGS.cadenceDays;
  if (typeof cadenceDays !== 'number' || !Number.isInteger(cadenceDays) || cadenceDays < 7 || cadenceDays > 365) {
    throw new CalendarSettingsError('cadenceDays', `expected a whole number of days from 7 to 365, got ${JSON.stringify(cadenceDays)}`);
  }

  const timeZone: unknown = input.timeZone ?? DEFAULT_CALENDAR_SETTINGS.timeZone;
  if (typeof timeZone !== 'string' || !IANAZone.isValidZone(timeZone)) {
    throw new CalendarSettingsError('timeZone', `unknown IANA time zone ${JSON.stringify(timeZone)}`);
  }

  const cutoffTimeText = input.cutoffTime ?? DEFAULT_CALENDAR_SETTINGS.cutoffTime;
  const cutoffTime = parseTime(cutoffTimeText, 'cutoffTime');
  const kickoffTimeText = input.kickoffTime ?? DEFAULT_CALENDAR_SETTINGS.kickoffTime;
  const kickoffTime = parseTime(kickoffTimeText, 'kickoffTime');

  const holidayList: unknown = input.holidays ?? DEFAULT_CALENDAR_SETTINGS.holidays;
  if (!Array.isArray(holidayList)) throw new CalendarSettingsError('holidays', 'expected a list of dates');
  const holidays = new Set<string>();
  for (const holiday of holidayList) holidays.add(isoDay(parseDay(holiday, 'holidays')));
  for (const holiday of holidays) {
    // The longest move a cutoff can make is the run of non-working days it falls in.
    let start = parseDay(holiday, 'holidays');
    let end = start;
    while (!isWorkingDay(start.minus({ days: 1 }), holidays)) start = start.minus({ days: 1 });
    while (!isWorkingDay(end.plus({ days: 1 }), holidays)) end = end.plus({ days: 1 });
    const length = daysBetween(start, end) + 1;
    if (length >= cadenceDays) {
      throw new CalendarSettingsError(
        'holidays',
        `${length} non-working days in a row (${isoDay(start)} to ${isoDay(end)}) is not shorter than the ${cadenceDays}-day cadence; use skips for a break`,
      );
    }
  }

  const skipList: unknown = input.skips ?? DEFAULT_CALENDAR_SETTINGS.skips;
  if (!Array.isArray(skipList)) throw new CalendarSettingsError('skips', 'expected a list of dates or train numbers');
  const dateSkipSlots = new Set<number>();
  const numberSkips = new Set<number>();
  const skips: Array<string | number> = [];
  for (const skip of skipList) {
    if (typeof skip === 'number') {
      if (!Number.isSafeInteger(skip)) {
        throw new CalendarSettingsError('skips', `a train number must be a whole number, got ${skip}`);
      }
      numberSkips.add(skip);
      skips.push(skip);
      continue;
    }
    const day = parseDay(skip, 'skips');
    const offset = daysBetween(anchorDay, day);
    if (offset % cadenceDays !== 0) {
      throw new CalendarSettingsError(
        'skips',
        `${isoDay(day)} is not a slot date (slots are every ${cadenceDays} days from ${isoDay(anchorDay)})`,
      );
    }
    if (offset === 0) throw new CalendarSettingsError('skips', `${isoDay(day)} is the anchor train's own date`);
    dateSkipSlots.add(offset / cadenceDays);
    skips.push(isoDay(day));
  }

  const settings: CalendarSettings = Object.freeze({
    anchor: Object.freeze({ train: anchorTrain, cutDate: isoDay(anchorDay) }),
    cadenceDays,
    cutoffTime: cutoffTimeText,
    timeZone,
    kickoffTime: kickoffTimeText,
    skips: Object.freeze(skips),
    holidays: Object.freeze([...holidays].sort()),
  });
  return {
    settings,
    anchorDay,
    cutoffTime,
    kickoffTime,
    holidays,
    dateSkipSlots,
    numberSkips: [...numberSkips],
  };
}

/** Maps train numbers to slot indices, given the set of empty slots. */
class SlotMap {
  private readonly after: number[];
  private readonly before: number[];

  constructor(
    private readonly anchorTrain: number,
    skipped: Iterable<number>,
  ) {
    const all = [...skipped];
    this.after = all.filter((s) => s > 0).sort((a, b) => a - b);
    this.before = all.filter((s) => s < 0).sort((a, b) => b - a);
  }

  slotOf(train: number): number {
    if (train === this.anchorTrain) return 0;
    if (train > this.anchorTrain) {
      let slot = train - this.anchorTrain;
      for (const s of this.after) if (s <= slot) slot += 1;
      return slot;
    }
    let slot = train - this.anchorTrain;
    for (const s of this.before) if (s >= slot) slot -= 1;
    return slot;
  }
}

function buildSlotMap(resolved: ResolvedSettings): SlotMap {
  const anchorTrain = resolved.settings.anchor.train;
  const skipped = new Set(resolved.dateSkipSlots);
  // Number skips depend on the skips nearer the anchor: resolve those first.
  const forward = resolved.numberSkips.filter((t) => t > anchorTrain).sort((a, b) => a - b);
  const backward = resolved.numberSkips.filter((t) => t <= anchorTrain).sort((a, b) => b - a);
  for (const train of forward) {
    let slot = new SlotMap(anchorTrain, skipped).slotOf(train - 1) + 1;
    while (skipped.has(slot)) slot += 1;
    skipped.add(slot);
  }
  for (const train of backward) {
    let slot = new SlotMap(anchorTrain, skipped).slotOf(train) - 1;
    while (skipped.has(slot)) slot -= 1;
    skipped.add(slot);
  }
  return new SlotMap(anchorTrain, skipped);
}

function assertInstant(value: Date, name: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new RangeError(`${name} must be a valid Date`);
  }
}

function assertCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 0 || count > MAX_LIST) {
    throw new RangeError(`count must be a whole number from 0 to ${MAX_LIST}, got ${count}`);
  }
}

/**
 * Builds the train calendar. Throws `CalendarSettingsError` (naming the
 * field) for invalid settings.
 *
 * Local times that do not exist on a DST change day move forward by the gap
 * (02:30 on a spring-forward day becomes 03:30); ambiguous ones on a
 * fall-back day take the standard-time (later) offset. Neither happens with
 * the FxA times.
 */
export function createTrainCalendar(input: CalendarSettingsInput): TrainCalendar {
  const resolved = resolveSettings(input);
  const { settings, anchorDay, holidays, cutoffTime, kickoffTime } = resolved;
  const slots = buildSlotMap(resolved);
  const anchorTrain = settings.anchor.train;
  const anchorMillis = anchorDay.toMillis();

  const nextWorkingDay = (day: Day): Day => {
    let result = day;
    while (!isWorkingDay(result, holidays)) result = result.plus({ days: 1 });
    return result;
  };
  const atLocalTime = (day: Day, time: LocalTime): Date =>
    DateTime.fromObject(
      { year: day.year, month: day.month, day: day.day, hour: time.hour, minute: time.minute },
      { zone: settings.timeZone },
    ).toJSDate();
  // Zone offsets are costly to compute (luxon asks Intl), and the answers never
  // change: remember recent ones. Only immutable values are kept.
  const remember = <V>(cache: Map<number, V>, key: number, compute: () => V): V => {
    const known = cache.get(key);
    if (known !== undefined) return known;
    const value = compute();
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(key, value);
    return value;
  };
  const cutDays = new Map<number, { nominal: Day; actual: Day }>();
  const cutoffs = new Map<number, number>();
  const kickoffs = new Map<number, number>();
  const cutDayOf = (train: number): { nominal: Day; actual: Day } =>
    remember(cutDays, train, () => {
      const nominal = anchorDay.plus({ days: slots.slotOf(train) * settings.cadenceDays });
      return { nominal, actual: nextWorkingDay(nominal) };
    });
  const cutoffMillis = (n: number): number => remember(cutoffs, n, () => atLocalTime(cutDayOf(n).actual, cutoffTime).getTime());

  const getTrain = (n: number): TrainSchedule => {
    if (!Number.isSafeInteger(n)) throw new RangeError(`train must be a whole number, got ${n}`);
    const { nominal, actual } = cutDayOf(n);
    const cutoff = new Date(cutoffMillis(n));
    const kickoffCandidate = remember(kickoffs, n, () =>
      atLocalTime(nextWorkingDay(cutDayOf(n - 1).actual.plus({ days: 1 })), kickoffTime).getTime(),
    );
    const kickoff = new Date(Math.min(kickoffCandidate, cutoff.getTime()));
    return { train: n, kickoff, cutoff, cutDate: isoDay(actual), nominalCutDate: isoDay(nominal) };
  };

  const trainNumberInProgress = (now: Date): number => {
    const t = now.getTime();
    // Start from the train of the slot `now` falls in, ignoring skips (a few
    // trains off at most), gallop away from it to bracket the answer, then
    // bisect. Invariant: cutoff(lo) <= t < cutoff(hi); cutoffs increase with n.
    // The start is only a guess, so `now`'s UTC day will do (a day off the
    // zone's at most): no zone lookup, which costs more than the search.
    const elapsedDays = Math.floor((t - anchorMillis) / MILLIS_PER_UTC_DAY);
    const elapsedSlots = Number.isFinite(elapsedDays) ? Math.floor(elapsedDays / settings.cadenceDays) : 0;
    const start = Number.isSafeInteger(anchorTrain + elapsedSlots) ? anchorTrain + elapsedSlots : anchorTrain;
    let lo: number;
    let hi: number;
    if (cutoffMillis(start) > t) {
      hi = start;
      let step = 1;
      lo = start - step;
      while (cutoffMillis(lo) > t) {
        hi = lo;
        step *= 2;
        lo = start - step;
      }
    } else {
      lo = start;
      let step = 1;
      hi = start + step;
      while (cutoffMillis(hi) <= t) {
        lo = hi;
        step *= 2;
        hi = start + step;
      }
    }
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (cutoffMillis(mid) > t) hi = mid;
      else lo = mid;
    }
    return hi;
  };

  const trainInProgress = (now: Date): TrainSchedule => {
    assertInstant(now, 'now');
    return getTrain(trainNumberInProgress(now));
  };

  const upcomingTrains = (now: Date, count: number): TrainSchedule[] => {
    assertInstant(now, 'now');
    assertCount(count);
    if (count === 0) return [];
    const first = trainNumberInProgress(now);
    return Array.from({ length: count }, (_, i) => getTrain(first + i));
  };

  const trainsBetween = (from: Date, to: Date): TrainSchedule[] => {
    assertInstant(from, 'from');
    assertInstant(to, 'to');
    const trains: TrainSchedule[] = [];
    if (to.getTime() <= from.getTime()) return trains;
    for (let n = trainNumberInProgress(from); ; n += 1) {
      const train = getTrain(n);
      if (train.cutoff.getTime() > to.getTime()) break;
      if (trains.length >= MAX_LIST)
        throw new RangeError(`more than ${MAX_LIST} trains between ${from.toISOString()} and ${to.toISOString()}`);
      trains.push(train);
    }
    return trains;
  };

  return { settings, getTrain, trainInProgress, upcomingTrains, trainsBetween };
}
