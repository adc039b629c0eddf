// Rendering instants for people: in given zones, as countdowns, and as Slack
// date tokens (which Slack shows in each viewer's own zone). Pure.
//
// Texts are English (en-US month/day names and zone abbreviations) whatever
// the machine's locale, with a 24-hour clock.

import { DateTime, IANAZone } from 'luxon';

/** The zones of the FxA team, in display order: Pacific, Eastern, UTC. */
export const DEFAULT_DISPLAY_ZONES: readonly string[] = Object.freeze(['America/Los_Angeles', 'America/New_York', 'UTC']);

/**
 * How `formatInZone` renders an instant:
 * - `full`  'Wed 4 Nov 2026, 10:00 PST' (the default)
 * - `short` 'Wed 4 Nov, 10:00 PST'
 * - `date`  'Wed 4 Nov 2026'
 * - `time`  '10:00 PST'
 */
export type ZonedFormatStyle = 'full' | 'short' | 'date' | 'time';

const LOCALE = 'en-US';

function assertInstant(value: Date, name: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new RangeError(`${name} must be a valid Date`);
  }
}

// Creating an Intl.DateTimeFormat is costly (and its ICU memory is outside the
// JS heap): luxon's zone check and its 'ZZZZ' token build a new one on every
// call, so both are done here once per zone and kept.
const validZones = new Map<string, boolean>();
const abbreviationFormats = new Map<string, Intl.DateTimeFormat>();

function isValidZone(zone: string): boolean {
  let valid = validZones.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    validZones.set(zone, valid);
  }
  return valid;
}

/** The zone's abbreviation at `instant` ('PST', 'EDT', 'UTC', 'GMT+1'), in English. */
function abbreviation(instant: Date, zone: string): string {
  let format = abbreviationFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALE, { timeZone: zone, timeZoneName: 'short' });
    abbreviationFormats.set(zone, format);
  }
  return format.formatToParts(instant).find((part) => part.type === 'timeZoneName')?.value ?? zone;
}

function inZone(instant: Date, zone: string): DateTime<true> {
  assertInstant(instant, 'instant');
  if (typeof zone !== 'string' || !isValidZone(zone)) {
    throw new RangeError(`Unknown time zone ${JSON.stringify(zone)}`);
  }
  const dateTime = DateTime.fromJSDate(instant, { zone }).setLocale(LOCALE);
  if (!dateTime.isValid) throw new RangeError(`Cannot represent ${String(instant)} in ${zone}`);
  return dateTime;
}

/**
 * The short name of `zone` at `instant`, for compact lines: US zones lose
 * their standard/daylight letter (PST and PDT → PT, EST/EDT → ET, AKST →
 * AKT); others keep their abbreviation ('UTC', 'GMT', 'GMT+1').
 * Throws `RangeError` for an unknown zone.
 */
export function zoneLabel(instant: Date, zone: string): string {
  inZone(instant, zone);
  const name = abbreviation(instant, zone);
  const us = /^([A-Z]{1,3})[SD]T$/.exec(name);
  return us === null ? name : `${us[1]}T`;
}

/**
 * Renders `instant` in `zone` (see `ZonedFormatStyle`), e.g.
 * 'Wed 4 Nov 2026, 10:00 PST'. Throws `RangeError` for an unknown zone or an
 * invalid date.
 */
export function formatInZone(instant: Date, zone: string, style: ZonedFormatStyle = 'full'): string {
  const dateTime = inZone(instant, zone);
  switch (style) {
    case 'full':
      return `${dateTime.toFormat('ccc d LLL yyyy, HH:mm')} ${abbreviation(instant, zone)}`;
    case 'short':
      return `${dateTime.toFormat('ccc d LLL, HH:mm')} ${abbreviation(instant, zone)}`;
    case 'date':
      return dateTime.toFormat('ccc d LLL yyyy');
    case 'time':
      return `${dateTime.toFormat('HH:mm')} ${abbreviation(instant, zone)}`;
  }
}

/**
 * One compact line showing `instant` in several zones, dated in the first:
 * 'Wed 4 Nov, 10:00 PT / 13:00 ET / 18:00 UTC'. A zone whose local date
 * differs from the first zone's gets its own date in brackets:
 * 'Wed 4 Nov, 17:00 PT / 20:00 ET / 01:00 UTC (Thu 5 Nov)'.
 * Throws `RangeError` for an empty list or an unknown zone.
 */
export function formatInZones(instant: Date, zones: readonly string[] = DEFAULT_DISPLAY_ZONES): string {
  assertInstant(instant, 'instant');
  const key = `${instant.getTime()} ${zones.join(' ')}`;
  const known = zonesLines.get(key);
  if (known !== undefined) return known;
  const line = renderZonesLine(instant, zones);
  if (zonesLines.size >= ZONES_LINES_KEPT) zonesLines.clear();
  zonesLines.set(key, line);
  return line;
}

// formatInZones is pure, and the instants it is asked about are few (each
// train's cutoff and kickoff) while luxon's formatting is the costliest step
// of rendering a dashboard: its lines are kept, up to a bound.
const ZONES_LINES_KEPT = 256;
const zonesLines = new Map<string, string>();

function renderZonesLine(instant: Date, zones: readonly string[]): string {
  const [first] = zones;
  if (first === undefined) throw new RangeError('formatInZones needs at least one zone');
  const firstDate = inZone(instant, first);
  const parts = zones.map((zone) => {
    const local = inZone(instant, zone);
    const text = `${local.toFormat('HH:mm')} ${zoneLabel(instant, zone)}`;
    return local.toISODate() === firstDate.toISODate() ? text : `${text} (${local.toFormat('ccc d LLL')})`;
  });
  return `${firstDate.toFormat('ccc d LLL')}, ${parts.join(' / ')}`;
}

function plural(value: number, unit: string): string {
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

function describeDuration(millis: number): string {
  const totalMinutes = Math.floor(millis / 60_000);
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  const units: Array<[number, string]> = [
    [days, 'day'],
    [hours, 'hour'],
    [minutes, 'minute'],
  ];
  const firstIndex = units.findIndex(([value]) => value > 0);
  const largest = units[firstIndex];
  if (largest === undefined) return plural(0, 'minute');
  const next = units[firstIndex + 1];
  const text = plural(largest[0], largest[1]);
  return next !== undefined && next[0] > 0 ? `${text} ${plural(next[0], next[1])}` : text;
}

/**
 * Time left from `from` until `to`: the largest unit and the next one down
 * when it is not zero, rounded down (never overstating the time left):
 * '2 days 3 hours', '2 days' (for 2 days 0 hours 5 minutes), '45 minutes',
 * '1 hour'. Under a minute either way is 'now'; once `to` has passed,
 * 'passed 10 minutes ago'. Days are 24 hours of elapsed time.
 */
export function formatCountdown(from: Date, to: Date): string {
  assertInstant(from, 'from');
  assertInstant(to, 'to');
  const millis = to.getTime() - from.getTime();
  if (Math.abs(millis) < 60_000) return 'now';
  return millis > 0 ? describeDuration(millis) : `passed ${describeDuration(-millis)} ago`;
}

/**
 * ISO 8601 with the zone's offset at that instant (always numeric, also for
 * UTC): '2026-11-04T10:00:00.000-08:00'.
 */
export function toIsoWithOffset(instant: Date, zone: string): string {
  return inZone(instant, zone).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZ");
}
