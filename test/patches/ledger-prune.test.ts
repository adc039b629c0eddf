import { startHarness } from '../support/harness';

test("the patch sweep's ledger keeps a week of fires: once a day it forgets older ones", async () => {
  const h = await startHarness({ now: '2026-11-10T00:00:00Z' });
  try {
    const insert = `INSERT INTO job_runs (job, "scheduledAt", status, "claimedBy", "claimedAt") VALUES ($1, $2, 'done', 'old', $2)`;
    await h.bot.database.sql.query(insert, ['patch-request-sweep', new Date('2026-11-01T00:00:00Z')]);
    await h.bot.database.sql.query(insert, ['patch-request-sweep', new Date('2026-11-05T00:00:00Z')]);
    await h.bot.database.sql.query(insert, ['kickoff-announcement', new Date('2026-10-22T16:00:00Z')]);
    // Midnight UTC: the day's first fire of the sweep also prunes.
    await h.bot.app.scheduler.tick(new Date('2026-11-10T00:00:30Z'));
    const rows = await h.bot.database.sql.query<{ job: string; scheduledAt: Date }>(
      `SELECT job, "scheduledAt" FROM job_runs WHERE "claimedBy" = 'old' ORDER BY "scheduledAt"`,
    );
    expect(rows.map((r) => [r.job, r.scheduledAt.toISOString()])).toEqual([
      ['kickoff-announcement', '2026-10-22T16:00:00.000Z'],
      ['patch-request-sweep', '2026-11-05T00:00:00.000Z'],
    ]);
  } finally {
    await h.close();
  }
});
