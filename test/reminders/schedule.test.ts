/** When the reminders fire: check-in, sweeps and cutoff message from the train calendar. Pure. */
import { settingsSchema } from '../../src/config';
import { checkInAt, reminderFiresBetween, sweepsOf, trainFiringAt } from '../../src/reminders/schedule';
import { createTrainCalendar } from '../../src/train/calendar';

const defaults = settingsSchema.parse({});
const calendar = createTrainCalendar({ anchor: defaults.anchor });

describe('reminder schedule', () => {
  test('FxA defaults: check-in the working day before at 10:00 PT, sweeps 3 h and 1 h before the cutoff', () => {
    expect(defaults.checkInWorkingDaysBefore).toBe(1);
    expect(defaults.checkInTime).toBe('10:00');
    expect(defaults.sweepMinutesBeforeCutoff).toEqual([180, 60]);
    expect(defaults.ignoredPullRequestLabels).toEqual([]);
    expect(defaults.reminderGraceMinutes).toBe(30);
    const train = calendar.getTrain(302);
    expect(train.cutoff.toISOString()).toBe('2026-11-04T18:00:00.000Z');
    expect(checkInAt(train, defaults).toISOString()).toBe('2026-11-03T18:00:00.000Z');
    expect(sweepsOf(train, defaults).map((d) => d.toISOString())).toEqual(['2026-11-04T15:00:00.000Z', '2026-11-04T17:00:00.000Z']);
  });

  test('the check-in skips weekends and holidays, and follows DST', () => {
    // Train 303 is cut Wednesday 18 November; with a holiday on Tuesday 17th the check-in is on Monday 16th.
    const holidays = { ...defaults, holidays: ['2026-11-17'] };
    expect(checkInAt(calendar.getTrain(303), holidays).toISOString()).toBe('2026-11-16T18:00:00.000Z');
    // Two working days before a Wednesday cut with Monday off: the Friday before.
    const twoDays = { ...defaults, checkInWorkingDaysBefore: 2, holidays: ['2026-11-16'], checkInTime: '15:30' };
    expect(checkInAt(calendar.getTrain(303), twoDays).toISOString()).toBe('2026-11-13T23:30:00.000Z');
    // Train 301 was cut on 21 October, in daylight time: 10:00 PDT is 17:00 UTC.
    expect(checkInAt(calendar.getTrain(301), defaults).toISOString()).toBe('2026-10-20T17:00:00.000Z');
  });

  test('fires between two instants, and the train of a fire', () => {
    const from = new Date('2026-11-03T00:00:00Z');
    const to = new Date('2026-11-18T18:00:00Z');
    const fireOf = (train: ReturnType<typeof calendar.getTrain>) => sweepsOf(train, defaults);
    const fires = reminderFiresBetween({ calendar, settings: defaults, from, to, fireOf });
    expect(fires.map((f) => [f.train, f.at.toISOString()])).toEqual([
      [302, '2026-11-04T15:00:00.000Z'],
      [302, '2026-11-04T17:00:00.000Z'],
      [303, '2026-11-18T15:00:00.000Z'],
      [303, '2026-11-18T17:00:00.000Z'],
    ]);
    // (from, to]: an instant equal to `from` is not included; one equal to `to` is.
    expect(
      reminderFiresBetween({
        calendar,
        settings: defaults,
        from: new Date('2026-11-04T15:00:00Z'),
        to: new Date('2026-11-04T17:00:00Z'),
        fireOf,
      }),
    ).toHaveLength(1);
    expect(trainFiringAt({ calendar, settings: defaults, scheduledAt: new Date('2026-11-18T17:00:00Z'), fireOf })).toBe(303);
    // The cutoff message fires at the cutoff, when the next train is already in progress: it still belongs to the cut train.
    expect(trainFiringAt({ calendar, settings: defaults, scheduledAt: new Date('2026-11-04T18:00:00Z'), fireOf: (t) => [t.cutoff] })).toBe(
      302,
    );
    expect(() => trainFiringAt({ calendar, settings: defaults, scheduledAt: new Date('2026-11-04T16:00:00Z'), fireOf })).toThrow(
      /no reminder fires/,
    );
  });

  test('settings are checked', () => {
    expect(settingsSchema.safeParse({ sweepMinutesBeforeCutoff: [60, 60] }).success).toBe(false);
    expect(settingsSchema.safeParse({ sweepMinutesBeforeCutoff: [0] }).success).toBe(false);
    expect(settingsSchema.safeParse({ checkInTime: '25:00' }).success).toBe(false);
    expect(settingsSchema.safeParse({ sweepMinutesBeforeCutoff: [240, 120, 30], ignoredPullRequestLabels: ['dependencies'] }).success).toBe(
      true,
    );
  });
});
