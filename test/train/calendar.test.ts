import {
  CalendarSettingsError,
  createTrainCalendar,
  DEFAULT_CALENDAR_SETTINGS,
  validateCalendarSettings,
  type CalendarSettingsInput,
  type TrainSchedule,
} from '../../src/train/calendar';
import { formatInZone, formatInZones } from '../../src/train/time-format';

// Wednesday 21 October 2026: train 301 is cut (FxA defaults otherwise).
const ANCHOR = { train: 301, cutDate: '2026-10-21' };
const fxa = createTrainCalendar({ anchor: ANCHOR });

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Wall-clock parts of an instant in a zone, read with Intl (independently of luxon). */
function wallClock(instant: Date, timeZone: string): { weekday: string; date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '?';
  return {
    weekday: get('weekday'),
    date: `${get('year')}-${get('month')}-${get('day')}`,
    time: `${get('hour')}:${get('minute')}`,
  };
}

function iso(train: TrainSchedule): { cutoff: string; kickoff: string } {
  return { cutoff: train.cutoff.toISOString(), kickoff: train.kickoff.toISOString() };
}

describe('cutoffs follow 10:00 Pacific across DST', () => {
  it('train 301 is cut at 17:00Z (PDT) and 302 at 18:00Z, after the 1 Nov 2026 DST end', () => {
    expect(fxa.getTrain(301)).toEqual({
      train: 301,
      cutoff: new Date('2026-10-21T17:00:00Z'),
      kickoff: new Date('2026-10-08T16:00:00Z'),
      cutDate: '2026-10-21',
      nominalCutDate: '2026-10-21',
    });
    expect(fxa.getTrain(302).cutoff.toISOString()).toBe('2026-11-04T18:00:00.000Z');
    expect(fxa.getTrain(302).cutDate).toBe('2026-11-04');
  });

  it('crosses the 14 Mar 2027 DST start: 10 Mar is 18:00Z, 24 Mar is 17:00Z', () => {
    expect(fxa.getTrain(311).cutoff.toISOString()).toBe('2027-03-10T18:00:00.000Z');
    expect(fxa.getTrain(312).cutoff.toISOString()).toBe('2027-03-24T17:00:00.000Z');
  });

  it('a calendar whose slot is Wed 17 Mar 2027 cuts at 17:00Z', () => {
    const calendar = createTrainCalendar({ anchor: { train: 400, cutDate: '2027-03-03' } });
    expect(calendar.getTrain(400).cutoff.toISOString()).toBe('2027-03-03T18:00:00.000Z');
    expect(calendar.getTrain(401).cutoff.toISOString()).toBe('2027-03-17T17:00:00.000Z');
    expect(calendar.getTrain(401).kickoff.toISOString()).toBe('2027-03-04T17:00:00.000Z');
  });

  it('trains before the anchor work too', () => {
    expect(fxa.getTrain(300).cutoff.toISOString()).toBe('2026-10-07T17:00:00.000Z');
    expect(fxa.getTrain(292).cutoff.toISOString()).toBe('2026-06-17T17:00:00.000Z');
    expect(fxa.getTrain(286).cutoff.toISOString()).toBe('2026-03-25T17:00:00.000Z');
    // DST started on 8 Mar 2026.
    expect(fxa.getTrain(285).cutoff.toISOString()).toBe('2026-03-11T17:00:00.000Z');
    expect(fxa.getTrain(284).cutoff.toISOString()).toBe('2026-02-25T18:00:00.000Z');
  });

  it('a full year of trains: every one a Wednesday 10:00 Pacific = 13:00 Eastern, 14 local days apart', () => {
    const trains = Array.from({ length: 30 }, (_, i) => fxa.getTrain(301 + i));
    const gaps: number[] = [];
    trains.forEach((train, i) => {
      expect(wallClock(train.cutoff, 'America/Los_Angeles')).toEqual({ weekday: 'Wed', date: train.cutDate, time: '10:00' });
      expect(wallClock(train.cutoff, 'America/New_York').time).toBe('13:00');
      expect([17, 18]).toContain(train.cutoff.getUTCHours());
      const previous = trains[i - 1];
      if (previous !== undefined) {
        const days = (Date.parse(`${train.cutDate}T00:00:00Z`) - Date.parse(`${previous.cutDate}T00:00:00Z`)) / DAY;
        expect(days).toBe(14);
        gaps.push(train.cutoff.getTime() - previous.cutoff.getTime());
      }
    });
    expect(trains[29]?.cutDate).toBe('2027-12-01');
    // Exactly two gaps are not 14 × 24 h: one hour longer across the November
    // DST ends (2026 and 2027), one hour shorter across the March 2027 start.
    const odd = gaps.filter((gap) => gap !== 14 * DAY).map((gap) => (gap - 14 * DAY) / HOUR);
    expect(odd.sort()).toEqual([-1, 1, 1]);
  });

  it('renders a cutoff in PT, ET and UTC', () => {
    const cutoff = fxa.getTrain(302).cutoff;
    expect(formatInZone(cutoff, 'America/New_York')).toBe('Wed 4 Nov 2026, 13:00 EST');
    expect(formatInZone(cutoff, 'UTC')).toBe('Wed 4 Nov 2026, 18:00 UTC');
    expect(formatInZones(cutoff)).toBe('Wed 4 Nov, 10:00 PT / 13:00 ET / 18:00 UTC');
    expect(formatInZones(fxa.getTrain(301).cutoff)).toBe('Wed 21 Oct, 10:00 PT / 13:00 ET / 17:00 UTC');
  });
});

describe('kickoff', () => {
  it('is 09:00 local on the morning after the previous cutoff, across DST', () => {
    expect(iso(fxa.getTrain(302))).toEqual({ kickoff: '2026-10-22T16:00:00.000Z', cutoff: '2026-11-04T18:00:00.000Z' });
    expect(fxa.getTrain(303).kickoff.toISOString()).toBe('2026-11-05T17:00:00.000Z');
    expect(fxa.getTrain(312).kickoff.toISOString()).toBe('2027-03-11T17:00:00.000Z');
    expect(fxa.getTrain(313).kickoff.toISOString()).toBe('2027-03-25T16:00:00.000Z');
    for (let n = 290; n < 330; n += 1) {
      const train = fxa.getTrain(n);
      expect(wallClock(train.kickoff, 'America/Los_Angeles').time).toBe('09:00');
      expect(train.kickoff.getTime()).toBeGreaterThan(fxa.getTrain(n - 1).cutoff.getTime());
      expect(train.kickoff.getTime()).toBeLessThan(train.cutoff.getTime());
    }
  });

  it('follows the kickoffTime and cutoffTime settings', () => {
    const calendar = createTrainCalendar({ anchor: ANCHOR, kickoffTime: '8:30', cutoffTime: '16:45' });
    expect(iso(calendar.getTrain(302))).toEqual({ kickoff: '2026-10-22T15:30:00.000Z', cutoff: '2026-11-05T00:45:00.000Z' });
  });
});

/** The train in progress at `t` by a linear scan of the cutoffs of trains `first`..`last` (the reference for the search). */
function linearScan(calendar: ReturnType<typeof createTrainCalendar>, first: number, last: number): (t: number) => number {
  const cutoffs: number[] = [];
  for (let n = first; n <= last; n += 1) cutoffs.push(calendar.getTrain(n).cutoff.getTime());
  return (t) => {
    let i = 0;
    while (i < cutoffs.length && (cutoffs[i] ?? Infinity) <= t) i += 1;
    return first + i;
  };
}

describe('trainInProgress', () => {
  const cutoff302 = fxa.getTrain(302).cutoff.getTime();

  it('is the train whose cutoff is strictly after now', () => {
    expect(fxa.trainInProgress(new Date(cutoff302 - 60_000)).train).toBe(302);
    expect(fxa.trainInProgress(new Date(cutoff302 - 1)).train).toBe(302);
    expect(fxa.trainInProgress(new Date(cutoff302)).train).toBe(303);
    expect(fxa.trainInProgress(new Date(cutoff302 + 1)).train).toBe(303);
    expect(fxa.trainInProgress(new Date('2026-10-21T16:59:59.999Z')).train).toBe(301);
    expect(fxa.trainInProgress(new Date('2026-10-21T17:00:00.000Z')).train).toBe(302);
  });

  it('works long before and after the anchor', () => {
    expect(fxa.trainInProgress(new Date('2026-10-01T00:00:00Z')).train).toBe(300);
    for (const now of ['2019-02-03T04:05:06Z', '2026-03-11T17:00:00Z', '2031-07-04T12:00:00Z', '2040-01-01T00:00:00Z']) {
      const instant = new Date(now);
      const train = fxa.trainInProgress(instant);
      expect(train.cutoff.getTime()).toBeGreaterThan(instant.getTime());
      expect(fxa.getTrain(train.train - 1).cutoff.getTime()).toBeLessThanOrEqual(instant.getTime());
    }
    expect(fxa.trainInProgress(new Date('2026-03-11T17:00:00Z')).train).toBe(286);
    expect(fxa.trainInProgress(new Date('2026-03-11T16:59:59Z')).train).toBe(285);
  });

  it('is exact at every cutoff, far from the anchor too', () => {
    for (let n = 270; n <= 340; n += 1) {
      const cutoff = fxa.getTrain(n).cutoff.getTime();
      expect(fxa.trainInProgress(new Date(cutoff - 1)).train).toBe(n);
      expect(fxa.trainInProgress(new Date(cutoff)).train).toBe(n + 1);
    }
  });

  it('matches a linear scan when many skips put trains far from their slots', () => {
    const skips: Array<string | number> = [];
    for (let k = 1; k <= 12; k += 1) skips.push(300 - 2 * k, 301 + 2 * k); // gaps on both sides of the anchor
    const calendar = createTrainCalendar({ anchor: ANCHOR, skips });
    const linear = linearScan(calendar, 240, 360);
    for (let n = 250; n <= 350; n += 1) {
      const cutoff = calendar.getTrain(n).cutoff.getTime();
      for (const t of [cutoff - 1, cutoff, cutoff + 3 * DAY]) {
        expect(calendar.trainInProgress(new Date(t)).train).toBe(linear(t));
      }
    }
    expect(calendar.getTrain(326).cutDate).toBe('2028-03-22'); // slot 25 + 12 gaps
    expect(calendar.getTrain(276).cutDate).toBe('2025-06-04'); // slot -25 - 11 gaps (276's own gap is below it)
  });

  it('matches a linear scan in zones far from UTC, with cutoffs near local midnight (the UTC day is not the local one)', () => {
    for (const [timeZone, cutoffTime] of [
      ['Pacific/Kiritimati', '00:30'],
      ['Pacific/Kiritimati', '23:30'],
      ['Pacific/Pago_Pago', '00:15'],
      ['Pacific/Pago_Pago', '23:45'],
      ['America/Los_Angeles', '23:59'],
    ] as const) {
      const calendar = createTrainCalendar({ anchor: ANCHOR, timeZone, cutoffTime, kickoffTime: '00:00', cadenceDays: 7 });
      const linear = linearScan(calendar, 280, 340);
      // Every quarter hour for 120 days around the anchor: each local midnight, each cutoff, both sides of the UTC day.
      const wrong: string[] = [];
      const from = new Date('2026-09-01T00:00:00Z').getTime();
      for (let t = from; t < from + 120 * DAY; t += HOUR / 4) {
        const got = calendar.trainInProgress(new Date(t)).train;
        if (got !== linear(t)) wrong.push(`${timeZone} ${cutoffTime} ${new Date(t).toISOString()}: ${got}, not ${linear(t)}`);
      }
      expect(wrong).toEqual([]);
      expect(calendar.trainInProgress(calendar.getTrain(301).cutoff).train).toBe(302);
    }
  });

  it('rejects an invalid date', () => {
    expect(() => fxa.trainInProgress(new Date('nope'))).toThrow(RangeError);
  });
});

describe('upcomingTrains and trainsBetween', () => {
  it('lists the next trains, starting with the one in progress', () => {
    const now = new Date('2026-11-04T18:00:00Z');
    expect(fxa.upcomingTrains(now, 3).map((t) => [t.train, t.cutDate])).toEqual([
      [303, '2026-11-18'],
      [304, '2026-12-02'],
      [305, '2026-12-16'],
    ]);
    expect(fxa.upcomingTrains(now, 0)).toEqual([]);
    expect(() => fxa.upcomingTrains(now, -1)).toThrow(RangeError);
  });

  it('lists the trains cut in (from, to]', () => {
    const from = fxa.getTrain(301).cutoff;
    const to = fxa.getTrain(304).cutoff;
    expect(fxa.trainsBetween(from, to).map((t) => t.train)).toEqual([302, 303, 304]);
    expect(fxa.trainsBetween(new Date(from.getTime() - 1), new Date(to.getTime() - 1)).map((t) => t.train)).toEqual([301, 302, 303]);
    expect(fxa.trainsBetween(new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'))).toHaveLength(26);
    expect(fxa.trainsBetween(to, from)).toEqual([]);
    expect(fxa.trainsBetween(new Date('2026-11-05T00:00:00Z'), new Date('2026-11-06T00:00:00Z'))).toEqual([]);
  });
});

describe('skips', () => {
  it('a skipped date leaves that slot empty and shifts every later train by one cadence', () => {
    const calendar = createTrainCalendar({ anchor: ANCHOR, skips: ['2026-12-30'] });
    expect(fxa.getTrain(306).cutDate).toBe('2026-12-30');
    expect([305, 306, 307, 320].map((n) => calendar.getTrain(n).cutDate)).toEqual(['2026-12-16', '2027-01-13', '2027-01-27', '2027-07-28']);
    expect(fxa.getTrain(320).cutDate).toBe('2027-07-14');
    expect(calendar.getTrain(300).cutDate).toBe('2026-10-07');
    // Over the break, train 306 stays in progress for four weeks.
    expect(calendar.trainInProgress(new Date('2026-12-31T00:00:00Z')).train).toBe(306);
    expect(calendar.getTrain(306).kickoff.toISOString()).toBe('2026-12-17T17:00:00.000Z');
  });

  it('a skipped train number does the same', () => {
    const byNumber = createTrainCalendar({ anchor: ANCHOR, skips: [306] });
    const byDate = createTrainCalendar({ anchor: ANCHOR, skips: ['2026-12-30'] });
    for (let n = 295; n < 320; n += 1) expect(byNumber.getTrain(n)).toEqual(byDate.getTrain(n));
  });

  it('several skips add up, and duplicates count once', () => {
    const calendar = createTrainCalendar({ anchor: ANCHOR, skips: ['2026-12-30', 306, 310, 310] });
    // 306 would be on 13 Jan after the date skip; the number skip pushes it to 27 Jan.
    expect([305, 306, 309, 310].map((n) => calendar.getTrain(n).cutDate)).toEqual(['2026-12-16', '2027-01-27', '2027-03-10', '2027-04-07']);
  });

  it('skips before the anchor move earlier trains earlier (the anchor never moves)', () => {
    const byDate = createTrainCalendar({ anchor: ANCHOR, skips: ['2026-09-23'] });
    expect([301, 300, 299, 298].map((n) => byDate.getTrain(n).cutDate)).toEqual(['2026-10-21', '2026-10-07', '2026-09-09', '2026-08-26']);
    const byNumber = createTrainCalendar({ anchor: ANCHOR, skips: [301] });
    expect([302, 301, 300, 299].map((n) => byNumber.getTrain(n).cutDate)).toEqual(['2026-11-04', '2026-10-21', '2026-09-23', '2026-09-09']);
    expect(byNumber.getTrain(301).kickoff.toISOString()).toBe('2026-09-24T16:00:00.000Z');
  });
});

describe('holidays and weekends', () => {
  it('a holiday moves one cutoff to the next working day without shifting the others', () => {
    const calendar = createTrainCalendar({ anchor: ANCHOR, holidays: ['2026-11-04'] });
    expect(calendar.getTrain(302)).toMatchObject({ cutDate: '2026-11-05', nominalCutDate: '2026-11-04' });
    expect(calendar.getTrain(302).cutoff.toISOString()).toBe('2026-11-05T18:00:00.000Z');
    expect(calendar.getTrain(301).cutDate).toBe('2026-10-21');
    expect(calendar.getTrain(303).cutDate).toBe('2026-11-18');
    expect(calendar.getTrain(303).kickoff.toISOString()).toBe('2026-11-06T17:00:00.000Z');
    expect(calendar.trainInProgress(new Date('2026-11-04T19:00:00Z')).train).toBe(302);
    expect(calendar.trainInProgress(new Date('2026-11-05T18:00:00Z')).train).toBe(303);
  });

  it('skips over the weekend after a run of holidays', () => {
    const calendar = createTrainCalendar({ anchor: ANCHOR, holidays: ['2026-11-06', '2026-11-04', '2026-11-05'] });
    expect(calendar.getTrain(302).cutDate).toBe('2026-11-09');
    expect(wallClock(calendar.getTrain(302).cutoff, 'America/Los_Angeles')).toEqual({
      weekday: 'Mon',
      date: '2026-11-09',
      time: '10:00',
    });
  });

  it('a kickoff on a holiday moves to the next working day', () => {
    const calendar = createTrainCalendar({ anchor: ANCHOR, holidays: ['2026-10-22'] });
    expect(calendar.getTrain(302).kickoff.toISOString()).toBe('2026-10-23T16:00:00.000Z');
    expect(calendar.getTrain(302).cutDate).toBe('2026-11-04');
  });

  it('never puts a kickoff after its cutoff (holidays almost as long as the cadence)', () => {
    // Train 1's cutoff moves from Wed 21 Oct to Tue 27 Oct, so train 2 kicks
    // off on its own cut date, Wed 28 Oct, where 11:00 would be after the 10:00 cutoff.
    const calendar = createTrainCalendar({
      anchor: { train: 1, cutDate: '2026-10-21' },
      cadenceDays: 7,
      kickoffTime: '11:00',
      holidays: ['2026-10-21', '2026-10-22', '2026-10-23', '2026-10-26'],
    });
    expect(calendar.getTrain(1).cutDate).toBe('2026-10-27');
    expect(iso(calendar.getTrain(2))).toEqual({ kickoff: '2026-10-28T17:00:00.000Z', cutoff: '2026-10-28T17:00:00.000Z' });
    expect(calendar.getTrain(3).kickoff.toISOString()).toBe('2026-10-29T18:00:00.000Z');
  });

  it('a slot on a weekend is cut on the Monday', () => {
    const calendar = createTrainCalendar({ anchor: { train: 10, cutDate: '2026-10-24' }, cadenceDays: 7 });
    expect(calendar.getTrain(10)).toMatchObject({ cutDate: '2026-10-26', nominalCutDate: '2026-10-24' });
    expect(calendar.getTrain(11).kickoff.toISOString()).toBe('2026-10-27T16:00:00.000Z');
  });
});

describe('settings validation', () => {
  const cases: Array<[string, Partial<CalendarSettingsInput>]> = [
    ['timeZone', { timeZone: 'Mars/Olympus_Mons' }],
    ['timeZone', { timeZone: '' }],
    ['cutoffTime', { cutoffTime: '25:00' }],
    ['cutoffTime', { cutoffTime: '10am' }],
    ['kickoffTime', { kickoffTime: '9:60' }],
    ['anchor.cutDate', { anchor: { train: 301, cutDate: '2026-02-30' } }],
    ['anchor.cutDate', { anchor: { train: 301, cutDate: '21/10/2026' } }],
    ['anchor.train', { anchor: { train: -1, cutDate: '2026-10-21' } }],
    ['anchor.train', { anchor: { train: 301.5, cutDate: '2026-10-21' } }],
    ['cadenceDays', { cadenceDays: 0 }],
    ['cadenceDays', { cadenceDays: 14.5 }],
    ['holidays', { holidays: ['2026-13-01'] }],
    ['holidays', { cadenceDays: 7, holidays: ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06'] }],
    ['skips', { skips: ['2026-12-31'] }],
    ['skips', { skips: ['2026-10-21'] }],
    ['skips', { skips: [306.5] }],
    ['skips', { skips: ['next week'] }],
  ];

  it.each(cases)('names the field %s', (field, override) => {
    const input: CalendarSettingsInput = { anchor: ANCHOR, ...override };
    let error: unknown;
    try {
      createTrainCalendar(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CalendarSettingsError);
    expect(error).toMatchObject({ field, message: expect.stringContaining(field) });
  });

  it('fills in the FxA defaults', () => {
    expect(validateCalendarSettings({ anchor: ANCHOR })).toEqual({ anchor: ANCHOR, ...DEFAULT_CALENDAR_SETTINGS });
    expect(DEFAULT_CALENDAR_SETTINGS).toMatchObject({
      cadenceDays: 14,
      cutoffTime: '10:00',
      timeZone: 'America/Los_Angeles',
      kickoffTime: '09:00',
    });
  });

  it('works in another zone: 13:00 New York is the same instant', () => {
    const eastern = createTrainCalendar({ anchor: ANCHOR, timeZone: 'America/New_York', cutoffTime: '13:00' });
    for (let n = 295; n < 330; n += 1) expect(eastern.getTrain(n).cutoff).toEqual(fxa.getTrain(n).cutoff);
  });
});
