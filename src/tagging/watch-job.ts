/**
 * The watcher: a scheduled job firing every minute (exactly once across
 * replicas) that advances every release due for a look by one step, then
 * posts the pending notices. Releases pace themselves (`nextCheckAt`, with
 * backoff), so most ticks ask GitHub nothing. After a restart the next tick
 * carries on from the states in the database.
 */
import type { AppDeps } from '../deps';
import { GitHubRateLimitedError } from '../github/errors';
import { pruneFires, type ScheduledJob } from '../scheduler';
import { flushNotices } from './notices';
import { listDueReleases } from './release-store';
import { advanceRelease } from './watch-release';

const MINUTE = 60_000;
export const TAG_WATCH_JOB = 'tag-watch';
/** How long the watcher's own ledger rows are kept. */
const KEEP_LEDGER_MS = 24 * 60 * MINUTE;

/** Every whole minute in (from, to]. */
export function everyMinuteBetween(from: Date, to: Date): Date[] {
  const fires: Date[] = [];
  for (let t = Math.floor(from.getTime() / MINUTE) * MINUTE + MINUTE; t <= to.getTime(); t += MINUTE) fires.push(new Date(t));
  return fires;
}

/** Advances every release due at `now` by one step and posts what they have to say. */
export async function watchReleases(options: { deps: AppDeps; now: Date }): Promise<void> {
  const { deps, now } = options;
  const logger = deps.logger.child({ module: 'tagging' });
  const failures: unknown[] = [];
  for (const release of await listDueReleases(deps.db.prisma, now)) {
    try {
      await advanceRelease({ deps, release, now });
    } catch (error) {
      if (error instanceof GitHubRateLimitedError) {
        // Every release shares the limit: the others wait for the next tick.
        logger.warn({ err: error }, 'tagging: GitHub is rate-limiting the bot; the watcher waits');
        break;
      }
      failures.push(error);
    }
  }
  await flushNotices({ deps, now });
  // The scheduler logs the failure and marks the fire failed; the releases are looked at again next tick.
  if (failures.length > 0) throw failures[0];
}

export function createTagWatchJob(): ScheduledJob<AppDeps> {
  return {
    name: TAG_WATCH_JOB,
    graceMs: 5 * MINUTE,
    // A missed minute is simply the next minute's work: never recorded as missed.
    lookbackMs: 5 * MINUTE,
    firesBetween: everyMinuteBetween,
    async run(deps, { now, scheduledAt }) {
      await watchReleases({ deps, now });
      if (scheduledAt.getTime() % (60 * MINUTE) === 0) {
        await pruneFires({ sql: deps.db.sql, job: TAG_WATCH_JOB, before: new Date(now.getTime() - KEEP_LEDGER_MS) });
      }
    },
  };
}
