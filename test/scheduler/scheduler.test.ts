import { DateTime } from 'luxon';
import type { Database } from '../../src/db/database';
import { claimFire, createScheduler, getFire, type ScheduledJob, type Scheduler, type TickReport } from '../../src/scheduler';
import { openTestDatabase, silentLogger, type TestDatabase } from '../support/database';
import {
  calendar,
  captureLogger,
  countByText,
  cutoffAnnouncement,
  DAY,
  HOUR,
  manualClock,
  MINUTE,
  openReplicaDatabase,
  plus,
  SECOND,
  type ChannelDeps,
  type Posted,
} from './helpers';

let test: TestDatabase;
let replicaDb: Database;

beforeAll(async () => {
  test = await openTestDatabase();
  replicaDb = await openReplicaDatabase(test);
});

afterAll(async () => {
  await replicaDb.close();
  await test.drop();
});

/** Two replicas of the bot: same jobs, same schema, separate connection pools, separate instance ids. */
function twoReplicas(job: ScheduledJob<ChannelDeps>, channel: Posted[], options: { logger?: typeof silentLogger } = {}) {
  const make = (instanceId: string, db: Database): Scheduler =>
    createScheduler({
      jobs: [job],
      deps: { channel },
      sql: db.sql,
      logger: options.logger ?? silentLogger,
      now: () => {
        throw new Error('these tests pass `now` to every tick');
      },
      instanceId,
    });
  return { a: make('replica-a', test.db), b: make('replica-b', replicaDb) };
}

function total(reports: TickReport[], key: 'ran' | 'missed' | 'failed' | 'skippedAlreadyClaimed'): number {
  return reports.reduce((sum, report) => sum + report[key].length, 0);
}

describe('two replicas ticking against one database', () => {
  it('announce each of 10 train cutoffs exactly once', async () => {
    const channel: Posted[] = [];
    const { a, b } = twoReplicas(cutoffAnnouncement({ name: 'tagging-now', graceMs: 2 * HOUR }), channel);
    const trains = Array.from({ length: 10 }, (_, i) => calendar.getTrain(301 + i));
    const reports: TickReport[] = [];
    for (const train of trains) {
      // Around each cutoff, minute by minute; replica B's clock is 17 s behind A's on odd minutes.
      for (let minute = -2; minute <= 4; minute += 1) {
        const atA = plus(train.cutoff, minute * MINUTE);
        const atB = minute % 2 === 0 ? atA : plus(atA, -17 * SECOND);
        reports.push(...(await Promise.all([a.tick(atA), b.tick(atB)])));
      }
    }

    expect(channel).toHaveLength(10);
    expect(countByText(channel)).toEqual(Object.fromEntries(trains.map((train) => [`:train: Tagging train ${train.train} now`, 1])));
    expect(channel.map((m) => m.scheduledAt).sort()).toEqual(trains.map((t) => t.cutoff.toISOString()));
    // Never before the cutoff, and on the tick at the cutoff (no one waits a minute).
    expect(channel.every((m) => m.postedAt === m.scheduledAt)).toBe(true);
    expect(total(reports, 'ran')).toBe(10);
    expect(total(reports, 'failed') + total(reports, 'missed')).toBe(0);

    const rows = await test.db.sql.query<{ status: string; attempts: number; n: string }>(
      `SELECT status, attempts, count(*) AS n FROM job_runs WHERE job = 'tagging-now' GROUP BY status, attempts`,
    );
    expect(rows).toEqual([{ status: 'done', attempts: 1, n: '10' }]);
  });
});

describe('catching up after every replica was down', () => {
  const cutoff = calendar.getTrain(302).cutoff;

  it('a replica started 30 minutes after the cutoff posts the announcement late, once', async () => {
    const channel: Posted[] = [];
    const job = cutoffAnnouncement({ name: 'catch-up-late', graceMs: 2 * HOUR });
    const clock = manualClock(plus(cutoff, 30 * MINUTE));
    const scheduler = createScheduler({
      jobs: [job],
      deps: { channel },
      sql: test.db.sql,
      logger: silentLogger,
      now: clock.now,
      instanceId: 'restarted',
    });
    const report = await scheduler.start({ timeZone: 'America/Los_Angeles' });
    await scheduler.stop();

    expect(report.ran).toEqual([{ job: 'catch-up-late', scheduledAt: cutoff, attempt: 1 }]);
    expect(channel).toEqual([
      {
        text: ':train: Tagging train 302 now',
        scheduledAt: cutoff.toISOString(),
        attempt: 1,
        postedAt: plus(cutoff, 30 * MINUTE).toISOString(),
      },
    ]);

    // Restarted again a quarter of an hour later: nothing is posted twice.
    clock.set(plus(cutoff, 45 * MINUTE));
    const again = createScheduler({
      jobs: [job],
      deps: { channel },
      sql: replicaDb.sql,
      logger: silentLogger,
      now: clock.now,
      instanceId: 'restarted-again',
    });
    const second = await again.start({ timeZone: 'America/Los_Angeles' });
    await again.stop();
    expect(second.ran).toEqual([]);
    expect(channel).toHaveLength(1);
  });

  it('replicas started 2 days after the cutoff record it missed, post nothing, and warn once', async () => {
    const channel: Posted[] = [];
    const capture = captureLogger();
    const { a, b } = twoReplicas(cutoffAnnouncement({ name: 'catch-up-missed', graceMs: 2 * HOUR }), channel, { logger: capture.logger });
    const at = plus(cutoff, 2 * DAY);
    const reports = await Promise.all([a.tick(at), b.tick(at)]);
    reports.push(await a.tick(plus(at, MINUTE)), await b.tick(plus(at, 2 * MINUTE)));

    expect(channel).toEqual([]);
    expect(total(reports, 'ran')).toBe(0);
    expect(total(reports, 'missed')).toBe(1);
    const row = await getFire({ sql: test.db.sql, job: 'catch-up-missed', scheduledAt: cutoff });
    expect(row).toMatchObject({ status: 'missed', attempts: 0 });
    const warnings = capture.warnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain('catch-up-missed');
    expect(warnings[0]?.msg).toContain(cutoff.toISOString());
    expect(warnings[0]).toMatchObject({ job: 'catch-up-missed', scheduledAt: cutoff.toISOString() });
  });
});

describe('failures and dead replicas', () => {
  const cutoff = calendar.getTrain(303).cutoff;

  it('a failed announcement is retried on a later tick within grace (attempt 2) and posted once', async () => {
    const channel: Posted[] = [];
    const attempts: number[] = [];
    const job = cutoffAnnouncement({
      name: 'flaky-announcement',
      graceMs: 2 * HOUR,
      before: (attempt) => {
        attempts.push(attempt);
        if (attempt === 1) throw new Error('Slack said ratelimited (token xoxb-2150414389-8827340958123-Kq9ZcM3vXbT1pQwE)');
      },
    });
    const { a, b } = twoReplicas(job, channel);

    const first = await a.tick(cutoff);
    expect(first.failed).toEqual([
      { job: 'flaky-announcement', scheduledAt: cutoff, attempt: 1, error: expect.stringContaining('ratelimited') },
    ]);
    const failedRow = await getFire({ sql: test.db.sql, job: 'flaky-announcement', scheduledAt: cutoff });
    expect(failedRow).toMatchObject({ status: 'failed', attempts: 1, claimedBy: 'replica-a' });
    expect(failedRow?.error).toContain('ratelimited');
    expect(failedRow?.error).not.toContain('xoxb-');

    // One minute later is sooner than the retry delay (5 min): nobody retries.
    const tooSoon = await Promise.all([a.tick(plus(cutoff, MINUTE)), b.tick(plus(cutoff, MINUTE))]);
    expect(total(tooSoon, 'ran') + total(tooSoon, 'failed')).toBe(0);
    expect(tooSoon[0]?.waitingForRetry).toEqual([{ job: 'flaky-announcement', scheduledAt: cutoff }]);

    const retry = await Promise.all([a.tick(plus(cutoff, 6 * MINUTE)), b.tick(plus(cutoff, 6 * MINUTE))]);
    expect(total(retry, 'ran')).toBe(1);
    expect(retry.flatMap((r) => r.ran)).toEqual([{ job: 'flaky-announcement', scheduledAt: cutoff, attempt: 2 }]);
    await Promise.all([a.tick(plus(cutoff, 20 * MINUTE)), b.tick(plus(cutoff, 20 * MINUTE))]);

    expect(attempts).toEqual([1, 2]);
    expect(channel.map((m) => [m.text, m.attempt])).toEqual([[':train: Tagging train 303 now', 2]]);
    expect(await getFire({ sql: test.db.sql, job: 'flaky-announcement', scheduledAt: cutoff })).toMatchObject({
      status: 'done',
      attempts: 2,
      error: null,
    });
  });

  it('a claim held by a replica that died is taken over once, after its lease expires', async () => {
    const channel: Posted[] = [];
    const { a, b } = twoReplicas(cutoffAnnouncement({ name: 'orphaned-announcement', graceMs: 2 * HOUR }), channel);
    // The replica claimed the fire at the cutoff, then died before posting.
    expect(
      await claimFire({
        sql: test.db.sql,
        job: 'orphaned-announcement',
        scheduledAt: cutoff,
        now: cutoff,
        claimedBy: 'replica-dead',
        leaseMs: 10 * MINUTE,
      }),
    ).toEqual({ claimed: true, attempt: 1 });

    const leaseHeld = await Promise.all([a.tick(plus(cutoff, 5 * MINUTE)), b.tick(plus(cutoff, 5 * MINUTE))]);
    expect(total(leaseHeld, 'ran')).toBe(0);
    expect(leaseHeld[0]?.skippedAlreadyClaimed).toEqual([{ job: 'orphaned-announcement', scheduledAt: cutoff, reason: 'running' }]);
    expect(channel).toEqual([]);

    const expired = await Promise.all([a.tick(plus(cutoff, 11 * MINUTE)), b.tick(plus(cutoff, 11 * MINUTE))]);
    await Promise.all([a.tick(plus(cutoff, 12 * MINUTE)), b.tick(plus(cutoff, 12 * MINUTE))]);
    await Promise.all([a.tick(plus(cutoff, 30 * MINUTE)), b.tick(plus(cutoff, 30 * MINUTE))]);

    expect(expired.flatMap((r) => r.ran)).toEqual([{ job: 'orphaned-announcement', scheduledAt: cutoff, attempt: 2 }]);
    expect(countByText(channel)).toEqual({ ':train: Tagging train 303 now': 1 });
    const row = await getFire({ sql: test.db.sql, job: 'orphaned-announcement', scheduledAt: cutoff });
    expect(row).toMatchObject({ status: 'done', attempts: 2 });
    expect(['replica-a', 'replica-b']).toContain(row?.claimedBy);
  });
});

describe('daylight saving time', () => {
  it('a daily 10:00 Los Angeles job runs at 17:00Z before 1 November 2026 and at 18:00Z after', async () => {
    const zone = 'America/Los_Angeles';
    const runs: string[] = [];
    const job: ScheduledJob<ChannelDeps> = {
      name: 'daily-check-in',
      graceMs: 30 * MINUTE,
      firesBetween(from, to) {
        const fires: Date[] = [];
        for (let day = DateTime.fromJSDate(from, { zone }).startOf('day'); day.toMillis() <= to.getTime(); day = day.plus({ days: 1 })) {
          const fire = day.set({ hour: 10, minute: 0 }).toJSDate();
          if (fire > from && fire <= to) fires.push(fire);
        }
        return fires;
      },
      async run(_deps, { now, scheduledAt }) {
        runs.push(`${scheduledAt.toISOString()} run at ${now.toISOString()}`);
      },
    };
    const scheduler = createScheduler({
      jobs: [job],
      deps: { channel: [] },
      sql: test.db.sql,
      logger: silentLogger,
      now: () => new Date('2026-10-31T00:00:00Z'),
      lookbackMs: 0,
      instanceId: 'dst',
    });
    const ticks = [
      '2026-10-31T16:59:00Z',
      '2026-10-31T17:00:00Z',
      '2026-11-01T17:00:00Z',
      '2026-11-01T17:59:00Z',
      '2026-11-01T18:00:00Z',
      '2026-11-02T18:00:00Z',
    ];
    for (const at of ticks) await scheduler.tick(new Date(at));
    expect(runs).toEqual([
      '2026-10-31T17:00:00.000Z run at 2026-10-31T17:00:00.000Z',
      '2026-11-01T18:00:00.000Z run at 2026-11-01T18:00:00.000Z',
      '2026-11-02T18:00:00.000Z run at 2026-11-02T18:00:00.000Z',
    ]);
  });
});

describe('acks first', () => {
  it('a tick runs no job until beforeEachJob lets it (the app waits for Slack requests to be acked)', async () => {
    const cutoff = calendar.getTrain(303).cutoff;
    const channel: Posted[] = [];
    const job = cutoffAnnouncement({ name: 'waits-for-acks', graceMs: HOUR });
    let letGo: () => void = () => undefined;
    const acked = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    let asked = 0;
    const scheduler = createScheduler({
      jobs: [job],
      deps: { channel },
      sql: test.db.sql,
      logger: silentLogger,
      now: () => plus(cutoff, MINUTE),
      instanceId: 'busy',
      beforeEachJob: () => {
        asked += 1;
        return acked;
      },
    });
    const tick = scheduler.tick(plus(cutoff, MINUTE));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(asked).toBe(1);
    expect(channel).toEqual([]);
    expect(await getFire({ sql: test.db.sql, job: 'waits-for-acks', scheduledAt: cutoff })).toBeUndefined();
    letGo();
    const report = await tick;
    expect(report.ran).toEqual([{ job: 'waits-for-acks', scheduledAt: cutoff, attempt: 1 }]);
    expect(channel).toHaveLength(1);
  });
});
