import {
  DEFAULT_DISPLAY_ZONES,
  formatCountdown,
  formatInZone,
  formatInZones,
  toIsoWithOffset,
  zoneLabel,
} from '../../src/train/time-format';

const WINTER_CUTOFF = new Date('2026-11-04T18:00:00Z'); // Wed 10:00 PST
const SUMMER_CUTOFF = new Date('2026-10-21T17:00:00Z'); // Wed 10:00 PDT

describe('formatInZone', () => {
  it('renders each style', () => {
    expect(formatInZone(WINTER_CUTOFF, 'America/Los_Angeles')).toBe('Wed 4 Nov 2026, 10:00 PST');
    expect(formatInZone(SUMMER_CUTOFF, 'America/Los_Angeles')).toBe('Wed 21 Oct 2026, 10:00 PDT');
    expect(formatInZone(SUMMER_CUTOFF, 'America/New_York', 'short')).toBe('Wed 21 Oct, 13:00 EDT');
    expect(formatInZone(WINTER_CUTOFF, 'UTC', 'date')).toBe('Wed 4 Nov 2026');
    expect(formatInZone(WINTER_CUTOFF, 'Europe/Berlin', 'time')).toBe('19:00 GMT+1');
  });

  it('rejects unknown zones and invalid dates', () => {
    expect(() => formatInZone(WINTER_CUTOFF, 'Pacific Time')).toThrow(RangeError);
    expect(() => formatInZone(new Date(Number.NaN), 'UTC')).toThrow(RangeError);
  });
});

describe('formatInZones', () => {
  it('renders PT / ET / UTC by default, in standard and daylight time', () => {
    expect(DEFAULT_DISPLAY_ZONES).toEqual(['America/Los_Angeles', 'America/New_York', 'UTC']);
    expect(formatInZones(WINTER_CUTOFF)).toBe('Wed 4 Nov, 10:00 PT / 13:00 ET / 18:00 UTC');
    expect(formatInZones(SUMMER_CUTOFF)).toBe('Wed 21 Oct, 10:00 PT / 13:00 ET / 17:00 UTC');
  });

  it('dates a zone that is already on another day', () => {
    expect(formatInZones(new Date('2026-11-05T01:00:00Z'))).toBe('Wed 4 Nov, 17:00 PT / 20:00 ET / 01:00 UTC (Thu 5 Nov)');
    expect(formatInZones(WINTER_CUTOFF, ['Asia/Tokyo', 'UTC'])).toBe('Thu 5 Nov, 03:00 GMT+9 / 18:00 UTC (Wed 4 Nov)');
  });

  it('needs at least one zone', () => {
    expect(() => formatInZones(WINTER_CUTOFF, [])).toThrow(RangeError);
  });

  it('answers again the same way, and a line kept for some zones is never given for others', () => {
    const line = formatInZones(WINTER_CUTOFF, ['Europe/Berlin', 'UTC']);
    expect(formatInZones(WINTER_CUTOFF, ['Europe/Berlin', 'UTC'])).toBe(line);
    expect(formatInZones(WINTER_CUTOFF, ['UTC', 'Europe/Berlin'])).toBe('Wed 4 Nov, 18:00 UTC / 19:00 GMT+1');
    expect(formatInZones(new Date(WINTER_CUTOFF.getTime() + 60_000), ['Europe/Berlin', 'UTC'])).toBe('Wed 4 Nov, 19:01 GMT+1 / 18:01 UTC');
  });

  it('refuses an unknown zone every time it is asked, and an invalid date', () => {
    expect(() => formatInZones(WINTER_CUTOFF, ['Mars/Olympus_Mons'])).toThrow(RangeError);
    expect(() => formatInZones(WINTER_CUTOFF, ['Mars/Olympus_Mons'])).toThrow(RangeError);
    expect(() => formatInZones(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('zoneLabel', () => {
  it('drops the standard/daylight letter of US zones only', () => {
    expect(zoneLabel(WINTER_CUTOFF, 'America/Los_Angeles')).toBe('PT');
    expect(zoneLabel(SUMMER_CUTOFF, 'America/New_York')).toBe('ET');
    expect(zoneLabel(SUMMER_CUTOFF, 'America/Chicago')).toBe('CT');
    expect(zoneLabel(WINTER_CUTOFF, 'America/Anchorage')).toBe('AKT');
    expect(zoneLabel(WINTER_CUTOFF, 'UTC')).toBe('UTC');
    expect(zoneLabel(SUMMER_CUTOFF, 'Europe/Berlin')).toBe('GMT+2');
  });
});

describe('formatCountdown', () => {
  const at = (iso: string): Date => new Date(iso);

  it('shows the two largest units, rounded down', () => {
    expect(formatCountdown(at('2026-11-02T15:00:00Z'), WINTER_CUTOFF)).toBe('2 days 3 hours');
    expect(formatCountdown(at('2026-11-03T17:00:00Z'), WINTER_CUTOFF)).toBe('1 day 1 hour');
    // The largest unit and the next one down: minutes do not show next to days.
    expect(formatCountdown(at('2026-11-02T17:59:00Z'), WINTER_CUTOFF)).toBe('2 days');
    expect(formatCountdown(at('2026-11-04T17:15:00Z'), WINTER_CUTOFF)).toBe('45 minutes');
    expect(formatCountdown(at('2026-11-04T17:14:00.001Z'), WINTER_CUTOFF)).toBe('45 minutes');
    expect(formatCountdown(at('2026-11-04T15:00:00Z'), WINTER_CUTOFF)).toBe('3 hours');
    expect(formatCountdown(at('2026-11-04T14:55:00Z'), WINTER_CUTOFF)).toBe('3 hours 5 minutes');
    expect(formatCountdown(at('2026-10-21T18:00:00Z'), WINTER_CUTOFF)).toBe('14 days');
    expect(formatCountdown(at('2026-11-04T17:59:00Z'), WINTER_CUTOFF)).toBe('1 minute');
  });

  it("says 'now' within a minute either way", () => {
    expect(formatCountdown(WINTER_CUTOFF, WINTER_CUTOFF)).toBe('now');
    expect(formatCountdown(at('2026-11-04T17:59:00.001Z'), WINTER_CUTOFF)).toBe('now');
    expect(formatCountdown(at('2026-11-04T18:00:59.999Z'), WINTER_CUTOFF)).toBe('now');
  });

  it('says how long ago a deadline passed', () => {
    expect(formatCountdown(at('2026-11-04T18:10:00Z'), WINTER_CUTOFF)).toBe('passed 10 minutes ago');
    expect(formatCountdown(at('2026-11-05T19:30:00Z'), WINTER_CUTOFF)).toBe('passed 1 day 1 hour ago');
  });
});

describe('toIsoWithOffset', () => {
  it("uses the zone's offset at that instant", () => {
    expect(toIsoWithOffset(WINTER_CUTOFF, 'America/Los_Angeles')).toBe('2026-11-04T10:00:00.000-08:00');
    expect(toIsoWithOffset(SUMMER_CUTOFF, 'America/Los_Angeles')).toBe('2026-10-21T10:00:00.000-07:00');
    expect(toIsoWithOffset(WINTER_CUTOFF, 'America/New_York')).toBe('2026-11-04T13:00:00.000-05:00');
    expect(toIsoWithOffset(WINTER_CUTOFF, 'UTC')).toBe('2026-11-04T18:00:00.000+00:00');
    expect(new Date(toIsoWithOffset(WINTER_CUTOFF, 'Asia/Kolkata')).getTime()).toBe(WINTER_CUTOFF.getTime());
  });
});
