/** The train being cut: from its cutoff (10:00 Pacific, DST followed) until it is tagged. */
import { createTrainCalendar } from '../../src/train/calendar';
import { trainInCut } from '../../src/train/train-in-cut';

// Wednesday 21 October 2026: train 301 is cut (FxA defaults: every other Wednesday, 10:00 America/Los_Angeles).
const calendar = createTrainCalendar({ anchor: { train: 301, cutDate: '2026-10-21' } });
const at = (iso: string) => new Date(iso);
const cutOf = (now: string, tagged: number[]) => trainInCut(calendar, at(now), tagged)?.train ?? null;

describe('trainInCut', () => {
  test('a train is being cut from its cutoff instant until it is tagged', () => {
    // Train 302's cutoff: Wed 4 Nov 2026, 10:00 PST (DST ended on 1 Nov) = 18:00 UTC.
    expect(cutOf('2026-11-04T17:59:59.999Z', [301])).toBeNull();
    expect(cutOf('2026-11-04T18:00:00.000Z', [301])).toBe(302);
    expect(cutOf('2026-11-05T09:00:00Z', [301])).toBe(302);
    expect(cutOf('2026-11-04T18:10:00Z', [301, 302])).toBeNull();
    // A later train tagged means 302 was cut too.
    expect(cutOf('2026-11-04T18:10:00Z', [303])).toBeNull();
    expect(cutOf('2026-11-04T18:10:00Z', [300, 301])).toBe(302);
  });

  test('no cut is assumed without knowing that the train before it was tagged', () => {
    expect(cutOf('2026-11-04T18:10:00Z', [])).toBeNull();
    // Train 300 tagged, 301 not: the tags and the calendar disagree (the dashboard says so); 302 is not "being cut".
    expect(cutOf('2026-11-04T18:10:00Z', [300])).toBeNull();
  });

  test('the window follows DST: 10:00 PDT is 17:00 UTC, 10:00 PST is 18:00 UTC', () => {
    // Autumn: at 17:30 UTC on 4 Nov it is 09:30 PST, so 302 is not cut yet (only 301, tagged, is behind).
    expect(cutOf('2026-11-04T17:30:00Z', [301])).toBeNull();
    // Train 301 (21 Oct, PDT): its cut starts at 17:00 UTC.
    expect(cutOf('2026-10-21T16:59:00Z', [300])).toBeNull();
    expect(cutOf('2026-10-21T17:00:00Z', [300])).toBe(301);
    // Spring: DST starts on 14 Mar 2027; train 312 is cut on Wed 24 Mar at 10:00 PDT = 17:00 UTC.
    expect(calendar.getTrain(312).cutoff.toISOString()).toBe('2027-03-24T17:00:00.000Z');
    expect(cutOf('2027-03-24T16:59:00Z', [311])).toBeNull();
    expect(cutOf('2027-03-24T17:00:00Z', [311])).toBe(312);
    // Train 311, a fortnight earlier (10 Mar), still in PST: 18:00 UTC.
    expect(cutOf('2027-03-10T17:30:00Z', [310])).toBeNull();
    expect(cutOf('2027-03-10T18:00:00Z', [310])).toBe(311);
  });

  test('only the train just before the one in progress can be in its cut', () => {
    expect(cutOf('2026-11-18T18:05:00Z', [302])).toBe(303);
    expect(cutOf('2026-11-18T18:05:00Z', [301])).toBeNull();
  });
});
