/**
 * Housekeeping: forget Slack deliveries older than a day. Slack stops retrying
 * a delivery within minutes, so a day of keys is plenty to recognise replays.
 */
import { DateTime } from 'luxon';
import type { ScheduledJob } from '../scheduler';
import type { SqlPort } from '../db/database';
import { pruneDeliveries } from './deliveries';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Fires daily at 03:00 in `timeZone`. */
export function createPruneDeliveriesJob<Deps extends { db: { sql: SqlPort } }>(options: { timeZone: string }): ScheduledJob<Deps> {
  return {
    name: 'prune-slack-deliveries',
    graceMs: DAY_MS,
    // Housekeeping: a run missed while the bot was down is not worth a warning.
    lookbackMs: DAY_MS,
    firesBetween(from, to) {
      const fires: Date[] = [];
      let day = DateTime.fromJSDate(from, { zone: options.timeZone }).startOf('day').set({ hour: 3 });
      while (day.toJSDate() <= to) {
        if (day.toJSDate() > from) fires.push(day.toJSDate());
        day = day.plus({ days: 1 }).set({ hour: 3 });
      }
      return fires;
    },
    async run(deps, { now }) {
      await pruneDeliveries({ sql: deps.db.sql, before: new Date(now.getTime() - DAY_MS) });
    },
  };
}
