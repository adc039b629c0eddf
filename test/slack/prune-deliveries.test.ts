import { createPruneDeliveriesJob } from '../../src/slack/prune-deliveries-job';
import { claimDelivery } from '../../src/slack/deliveries';
import { openTestDatabase, type TestDatabase } from '../support/database';

describe('forgetting old Slack deliveries', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  const job = createPruneDeliveriesJob<{ db: TestDatabase['db'] }>({ timeZone: 'America/Los_Angeles' });

  test('fires daily at 03:00 in the team’s zone, across the DST change', () => {
    const fires = job.firesBetween(new Date('2026-10-31T00:00:00Z'), new Date('2026-11-02T12:00:00Z'));
    // 03:00 PDT is 10:00Z; after 1 November, 03:00 PST is 11:00Z.
    expect(fires.map((d) => d.toISOString())).toEqual(['2026-10-31T10:00:00.000Z', '2026-11-01T11:00:00.000Z', '2026-11-02T11:00:00.000Z']);
  });

  test('keeps a day of deliveries, so a replay is still recognised, and forgets older ones', async () => {
    const now = new Date('2026-11-02T11:00:00Z');
    await claimDelivery({ sql: database.db.sql, key: 'command:old', now: new Date('2026-10-31T09:00:00Z') });
    await claimDelivery({ sql: database.db.sql, key: 'command:recent', now: new Date('2026-11-02T09:00:00Z') });
    await job.run({ db: database.db }, { now, scheduledAt: now, attempt: 1 });
    expect(await claimDelivery({ sql: database.db.sql, key: 'command:recent', now })).toBe(false);
    expect(await claimDelivery({ sql: database.db.sql, key: 'command:old', now })).toBe(true);
  });
});
