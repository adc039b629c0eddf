/**
 * Helpers for the scheduler tests: a manual clock, a logger whose lines can
 * be read back, a second connection to a test schema (a second replica), a
 * fake team channel, and jobs built on the FxA train calendar.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase, type Database } from '../../src/db/database';
import type { Logger } from '../../src/logger';
import type { ScheduledJob } from '../../src/scheduler';
import { createTrainCalendar } from '../../src/train/calendar';
import { silentLogger, type TestDatabase } from '../support/database';
import { captureLogs, type LogLine } from '../support/logs';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** FxA calendar: train 301 is cut Wednesday 21 October 2026 at 10:00 America/Los_Angeles, then every 14 days. */
export const calendar = createTrainCalendar({ anchor: { train: 301, cutDate: '2026-10-21' } });

/** An instant `ms` after `instant`. */
export function plus(instant: Date, ms: number): Date {
  return new Date(instant.getTime() + ms);
}

/** A clock the test moves by hand. */
export interface ManualClock {
  now: () => Date;
  set(instant: Date): void;
}

/** A clock reading `start` until set otherwise. */
export function manualClock(start: Date): ManualClock {
  let current = start;
  return {
    now: () => current,
    set(instant) {
      current = instant;
    },
  };
}

export type { LogLine } from '../support/logs';

/** A debug-level logger and the lines written to it. */
export function captureLogger(): { logger: Logger; lines: LogLine[]; warnings: () => LogLine[] } {
  const logs = captureLogs({ level: 'debug' });
  return { logger: logs.logger, lines: logs.entries(), warnings: logs.warnings };
}

/** A second, independent connection pool to the test schema: what another replica would have. */
export async function openReplicaDatabase(test: TestDatabase): Promise<Database> {
  return openDatabase({ databaseUrl: test.url, dataDir: '/nonexistent', logger: silentLogger, connectTimeoutSeconds: 5 });
}

/** A message the fake team channel received. */
export interface Posted {
  text: string;
  scheduledAt: string;
  attempt: number;
  postedAt: string;
}

/** What the test jobs use: a fake team channel recording every message posted to it. */
export interface ChannelDeps {
  channel: Posted[];
}

/**
 * The "tagging now" announcement: fires at every train's cutoff and posts
 * one message naming the train. The post takes a few milliseconds, as a
 * Slack call would, so that replicas really overlap.
 */
export function cutoffAnnouncement(options: {
  name: string;
  graceMs: number;
  /** Called before posting, with the attempt number; may throw to fail the attempt. */
  before?: (attempt: number) => Promise<void> | void;
}): ScheduledJob<ChannelDeps> {
  return {
    name: options.name,
    graceMs: options.graceMs,
    firesBetween: (from, to) => calendar.trainsBetween(from, to).map((train) => train.cutoff),
    async run(deps, { now, scheduledAt, attempt }) {
      await options.before?.(attempt);
      const [train] = calendar.trainsBetween(plus(scheduledAt, -1), scheduledAt);
      if (train === undefined) throw new Error(`no train is cut at ${scheduledAt.toISOString()}`);
      await sleep(3);
      deps.channel.push({
        text: `:train: Tagging train ${train.train} now`,
        scheduledAt: scheduledAt.toISOString(),
        attempt,
        postedAt: now.toISOString(),
      });
    },
  };
}

/** How many times each text was posted. */
export function countByText(channel: Posted[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const message of channel) counts[message.text] = (counts[message.text] ?? 0) + 1;
  return counts;
}
