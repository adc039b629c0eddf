/**
 * When the patch sweep fires: at multiples of its period, once each across
 * replicas; after every replica was down, only the latest fire runs and the
 * ones in between are not recorded as missed (the next sweep makes them up).
 */
import { settingsSchema } from '../../src/config';
import { createPatchJobs, multiplesBetween, PATCH_SWEEP_JOB } from '../../src/patches/patch-jobs';
import { createScheduler, type ScheduledJob } from '../../src/scheduler';
import { openTestDatabase, silentLogger, type TestDatabase } from '../support/database';

const MINUTE = 60_000;

test('fires at the multiples of the period in (from, to]', () => {
  const at = (iso: string) => new Date(iso);
  expect(multiplesBetween(at('2026-11-10T18:00:00Z'), at('2026-11-10T18:45:00Z'), 15 * MINUTE).map((d) => d.toISOString())).toEqual([
    '2026-11-10T18:15:00.000Z',
    '2026-11-10T18:30:00.000Z',
    '2026-11-10T18:45:00.000Z',
  ]);
  expect(multiplesBetween(at('2026-11-10T18:01:00Z'), at('2026-11-10T18:14:59Z'), 15 * MINUTE)).toEqual([]);
});

describe('the sweep on the scheduler', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  test('two replicas run each fire once; two days down records nothing missed and runs the latest fire only', async () => {
    const settings = settingsSchema.parse({ patchRequests: { checkEveryMinutes: 15 } });
    const runs: string[] = [];
    // The real job's timing, with a run that only records when it ran.
    const jobs = createPatchJobs({ settings }).map(
      (job): ScheduledJob<null> => ({ ...job, run: async (_deps, { scheduledAt }) => void runs.push(scheduledAt.toISOString()) }),
    );
    const replica = (instanceId: string) =>
      createScheduler({ jobs, deps: null, sql: database.db.sql, logger: silentLogger, now: () => new Date(), instanceId });
    const [a, b] = [replica('a'), replica('b')];
    const at = new Date('2026-11-10T18:00:30Z');
    await Promise.all([a.tick(at), b.tick(at)]);
    await Promise.all([a.tick(new Date(at.getTime() + 15 * MINUTE)), b.tick(new Date(at.getTime() + 15 * MINUTE))]);
    expect(runs).toEqual(['2026-11-10T18:00:00.000Z', '2026-11-10T18:15:00.000Z']);

    const later = await a.tick(new Date('2026-11-12T18:07:00Z'));
    expect(later.missed).toEqual([]);
    expect(runs.at(-1)).toBe('2026-11-12T18:00:00.000Z');
    expect(runs).toHaveLength(3);
    const rows = await database.db.sql.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM job_runs WHERE job = $1 GROUP BY status`,
      [PATCH_SWEEP_JOB],
    );
    expect(rows).toEqual([{ status: 'done', n: '3' }]);
  });
});
