/**
 * The scheduler tells the metrics how each fire it handled ended (ran, late, failed, missed), and the
 * counter `release_conductor_scheduled_job_runs_total` says it, on a real `job_runs` ledger. Fires another
 * replica handled are not counted twice.
 */
import { createMetrics } from '../../src/metrics';
import { createScheduler, type ScheduledJob } from '../../src/scheduler';
import { openTestDatabase, silentLogger, type TestDatabase } from '../support/database';
import { parseExposition } from './exposition';

const MINUTE = 60_000;
let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** Fires at the given instants. */
function job(name: string, fires: string[], options: { graceMs: number; fails?: boolean }): ScheduledJob<null> {
  return {
    name,
    graceMs: options.graceMs,
    firesBetween: (from, to) => fires.map((fire) => new Date(fire)).filter((fire) => fire > from && fire <= to),
    run: async () => {
      if (options.fails) throw new Error('the job failed');
    },
  };
}

test('counts ran, late, failed and missed by job, once across two replicas', async () => {
  const metrics = createMetrics({ logger: silentLogger, processMetrics: false });
  const jobs = [
    job('on-time', ['2026-11-02T17:00:00Z'], { graceMs: 10 * MINUTE }),
    job('catch-up', ['2026-11-02T16:55:00Z'], { graceMs: 10 * MINUTE }),
    job('broken', ['2026-11-02T17:00:00Z'], { graceMs: 10 * MINUTE, fails: true }),
    job('missed', ['2026-11-02T16:00:00Z'], { graceMs: 5 * MINUTE }),
  ];
  const replica = (instanceId: string) =>
    createScheduler({
      jobs,
      deps: null,
      sql: db.db.sql,
      logger: silentLogger,
      now: () => new Date('2026-11-02T17:00:00Z'),
      instanceId,
      onOutcome: (name, outcome) => metrics.jobRun(name, outcome),
    });
  await replica('a').tick(new Date('2026-11-02T17:00:00Z'));
  await replica('b').tick(new Date('2026-11-02T17:00:10Z'));
  const text = parseExposition(await metrics.render());
  const runs = (name: string, outcome: string) => text.value('release_conductor_scheduled_job_runs_total', { job: name, outcome });
  expect(runs('on-time', 'ran')).toBe(1);
  expect(runs('catch-up', 'late')).toBe(1);
  expect(runs('catch-up', 'ran')).toBe(0);
  expect(runs('broken', 'failed')).toBe(1);
  expect(runs('missed', 'missed')).toBe(1);
  expect(text.samples.filter((s) => s.name === 'release_conductor_scheduled_job_runs_total')).toHaveLength(4);
});
