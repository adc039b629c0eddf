import type { Database } from '../../src/db/database';
import { claimFire, getFire, markDone, markFailed, markMissed, MAX_ERROR_LENGTH } from '../../src/scheduler';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { calendar, HOUR, MINUTE, openReplicaDatabase, plus } from './helpers';

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

const at = calendar.getTrain(307).cutoff;
const lease = 10 * MINUTE;

/** Eight replicas (alternating between two connection pools) claiming the same fire at the same instant. */
async function eightClaim(job: string, now: Date) {
  return Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      claimFire({
        sql: (i % 2 === 0 ? test.db : replicaDb).sql,
        job,
        scheduledAt: at,
        now,
        claimedBy: `replica-${i}`,
        leaseMs: lease,
        retryDelayMs: 5 * MINUTE,
      }),
    ),
  );
}

describe('the job_runs ledger', () => {
  it('lets exactly one of many racing replicas claim a fire, and one re-claim it after a failure', async () => {
    const first = await eightClaim('race', at);
    expect(first.filter((c) => c.claimed)).toEqual([{ claimed: true, attempt: 1 }]);
    expect(first.filter((c) => !c.claimed)).toEqual(Array.from({ length: 7 }, () => ({ claimed: false, reason: 'running' })));

    const winner = (await getFire({ sql: test.db.sql, job: 'race', scheduledAt: at }))?.claimedBy ?? '';
    expect(
      await markFailed({
        sql: test.db.sql,
        job: 'race',
        scheduledAt: at,
        now: plus(at, MINUTE),
        claimedBy: winner,
        attempt: 1,
        error: 'x'.repeat(5000),
      }),
    ).toBe(true);
    const failed = await getFire({ sql: test.db.sql, job: 'race', scheduledAt: at });
    expect(failed?.error).toHaveLength(MAX_ERROR_LENGTH);

    expect((await eightClaim('race', plus(at, 3 * MINUTE))).every((c) => !c.claimed && c.reason === 'retry-not-due')).toBe(true);
    const retry = await eightClaim('race', plus(at, 6 * MINUTE));
    expect(retry.filter((c) => c.claimed)).toEqual([{ claimed: true, attempt: 2 }]);
  });

  it('fences a claimant whose lease was taken over: its late outcome is not recorded', async () => {
    const sql = test.db.sql;
    const fire = { sql, job: 'fenced', scheduledAt: at };
    expect(await claimFire({ ...fire, now: at, claimedBy: 'slow', leaseMs: lease })).toEqual({ claimed: true, attempt: 1 });
    expect(await claimFire({ ...fire, now: plus(at, 9 * MINUTE), claimedBy: 'other', leaseMs: lease })).toEqual({
      claimed: false,
      reason: 'running',
    });
    expect(await claimFire({ ...fire, now: plus(at, 11 * MINUTE), claimedBy: 'other', leaseMs: lease })).toEqual({
      claimed: true,
      attempt: 2,
    });
    expect(await markDone({ ...fire, now: plus(at, 12 * MINUTE), claimedBy: 'slow', attempt: 1 })).toBe(false);
    expect(await markDone({ ...fire, now: plus(at, 12 * MINUTE), claimedBy: 'other', attempt: 2 })).toBe(true);
    expect(await getFire(fire)).toMatchObject({ status: 'done', claimedBy: 'other', attempts: 2 });
    expect(await claimFire({ ...fire, now: plus(at, 30 * MINUTE), claimedBy: 'third', leaseMs: lease })).toEqual({
      claimed: false,
      reason: 'done',
    });
  });

  it('refuses fires beyond grace or out of attempts, and records an abandoned claim as missed', async () => {
    const sql = test.db.sql;
    expect(
      await claimFire({ sql, job: 'late', scheduledAt: at, now: plus(at, 3 * HOUR), claimedBy: 'r', leaseMs: lease, graceMs: 2 * HOUR }),
    ).toEqual({
      claimed: false,
      reason: 'beyond-grace',
    });
    expect(await getFire({ sql, job: 'late', scheduledAt: at })).toBeUndefined();

    const fire = { sql, job: 'tired', scheduledAt: at };
    await claimFire({ ...fire, now: at, claimedBy: 'r', leaseMs: lease, maxAttempts: 1 });
    await markFailed({ ...fire, now: at, claimedBy: 'r', attempt: 1, error: 'boom' });
    expect(await claimFire({ ...fire, now: plus(at, HOUR), claimedBy: 'r', leaseMs: lease, maxAttempts: 1 })).toEqual({
      claimed: false,
      reason: 'attempts-exhausted',
    });
    expect(await markMissed({ ...fire, now: plus(at, 3 * HOUR), claimedBy: 'r', leaseMs: lease })).toBe(false);
    expect(await getFire(fire)).toMatchObject({ status: 'failed', error: 'boom' });

    const orphan = { sql, job: 'orphan', scheduledAt: at };
    await claimFire({ ...orphan, now: at, claimedBy: 'died', leaseMs: lease });
    expect(await markMissed({ ...orphan, now: plus(at, 3 * HOUR), claimedBy: 'r', leaseMs: lease })).toBe(true);
    expect(await markMissed({ ...orphan, now: plus(at, 3 * HOUR), claimedBy: 'r', leaseMs: lease })).toBe(false);
    const row = await getFire(orphan);
    expect(row).toMatchObject({ status: 'missed', claimedBy: 'died' });
    expect(row?.error).toContain('claimed by died (attempt 1)');
  });
});
