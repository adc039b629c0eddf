/**
 * Issue 13, reproduction 5, on real processes: the bot is SIGKILLed while
 * Slack is posting a kickoff announcement (the fake Slack holds
 * chat.postMessage, and posts it once the process is gone, as Slack does
 * with a request it received), and a new bot is started after the job's
 * lease has expired (its claim aged past the scheduler's 10-minute lease: the
 * job is run again, attempt 2). The announcement is in the channel exactly
 * once: the new process finds it by the ledger key in its metadata and adopts
 * it (the owner fixed, the thread known) instead of posting it again.
 *
 * The calendar is set so that train 401's kickoff was two minutes ago (in
 * UTC; on a weekend, the last working day at that time), within the
 * kickoff's grace: the first bot posts it as it starts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { openDatabase } from '../../src/db/database';
import { applyMigrations } from '../../src/db/migrate';
import { createTrainCalendar } from '../../src/train/calendar';
import { silentLogger, urlForSchema } from '../support/database';
import { processHarnessForAll } from '../support/process-harness';
import { rowsIn, waitFor } from '../support/schema-sql';

jest.setTimeout(180_000);

const CHANNEL = 'C0KICKKILL';
const OWNER = 'U0KKOWNER1';
const NEXT = 'U0KKNEXT01';
const TRAIN = 401;
const MINUTE = 60_000;

/**
 * Settings (UTC) whose train 401 kicked off about two minutes before `now` (on a weekend: at that time on the last
 * working day, within the kickoff's grace, its confirmation not due yet): its anchor, train 400, cut before.
 */
function kickedOffJustNow(now: Date) {
  const target = DateTime.fromJSDate(new Date(now.getTime() - 2 * MINUTE), { zone: 'UTC' }).startOf('minute');
  const base = { timeZone: 'UTC', kickoffTime: target.toFormat('HH:mm'), cadenceDays: 14 };
  for (let dayBack = 0; dayBack <= 3; dayBack++) {
    const at = target.minus({ days: dayBack });
    for (let back = 1; back <= 7; back++) {
      const anchor = { train: TRAIN - 1, cutDate: at.minus({ days: back }).toISODate() ?? '' };
      const kickoff = createTrainCalendar({ ...base, anchor }).getTrain(TRAIN).kickoff;
      if (kickoff.getTime() === at.toMillis()) return { ...base, anchor, kickoffGraceMinutes: 4 * 24 * 60, kickoffConfirmHours: 72 };
    }
  }
  throw new Error(`no calendar kicks train ${TRAIN} off at ${target.toISO()}`);
}

/** Migrates the harness's schema, as the bot would at start. */
async function migrate(schema: string): Promise<void> {
  const db = await openDatabase({
    databaseUrl: urlForSchema(schema),
    dataDir: '/nonexistent',
    logger: silentLogger,
    connectTimeoutSeconds: 5,
  });
  try {
    await applyMigrations({ sql: db.sql, logger: silentLogger });
  } finally {
    await db.close();
  }
}

describe('killed while Slack was posting the kickoff announcement', () => {
  const h = processHarnessForAll('kickoff-kill');

  test('restarted after the job’s lease expired: the announcement is posted once, adopted, and the owner fixed', async () => {
    const settings = { ...kickedOffJustNow(new Date()), announcementChannel: CHANNEL };
    const settingsPath = path.join(mkdtempSync(path.join(tmpdir(), 'kickoff-kill-')), 'settings.json');
    writeFileSync(settingsPath, JSON.stringify(settings));
    const env = { CONDUCTOR_CONFIG: settingsPath };
    for (const id of [OWNER, NEXT]) h.slack.addUser({ id, name: id.toLowerCase() });
    h.slack.addChannel({ id: CHANNEL, name: 'fxa-team' });
    h.slack.inviteBot(CHANNEL);
    // The schema, migrated, holds the rotation before any bot starts: OWNER takes train 401, NEXT the one after.
    const schema = h.schema;
    await migrate(schema);
    const now = new Date().toISOString();
    await rowsIn(schema, `INSERT INTO app_state (key, value, "updatedAt") VALUES ('rotation.startTrain', $1, $2)`, [TRAIN, now]);
    for (const [position, id] of [OWNER, NEXT].entries()) {
      await rowsIn(
        schema,
        `INSERT INTO roster_members ("slackUserId", "displayName", position, active, "createdAt", "updatedAt") VALUES ($1, $1, $2, true, $3, $3)`,
        [id, position, now],
      );
    }

    // Slack holds the first post (the kickoff, which the bot posts as it starts: within its grace) for a few seconds.
    h.slack.failNext('chat.postMessage', { delayMs: 4_000 });
    const first = await h.startBot(env);
    const [call] = await waitFor(() => {
      const calls = h.slack.callsTo('chat.postMessage');
      return calls.length > 0 ? calls : undefined;
    });
    expect(String(call?.args.text)).toContain(`Train ${TRAIN} kicks off`);
    first.bot.child.kill('SIGKILL');
    await first.bot.exited;
    // Slack posts it anyway, the process gone; as far as the database knows it is still being sent.
    const kickoffs = () => h.slack.messagesIn(CHANNEL).filter((m) => m.text?.includes(`Train ${TRAIN} kicks off`));
    await waitFor(() => (kickoffs().length === 1 ? true : undefined));
    expect(await rowsIn(schema, `SELECT status FROM slack_messages WHERE key LIKE 'kickoff:${TRAIN}:%'`)).toEqual([{ status: 'sending' }]);
    // The job's lease (10 minutes) has passed: its claim is that old.
    await rowsIn(schema, `UPDATE job_runs SET "claimedAt" = "claimedAt" - interval '11 minutes' WHERE job = 'kickoff-announcement'`);

    await h.startBot(env);
    const [run] = await waitFor(async () => {
      const rows = await rowsIn<{ status: string; attempts: number }>(
        schema,
        `SELECT status, attempts FROM job_runs WHERE job = 'kickoff-announcement'`,
      );
      return rows[0]?.status === 'done' ? rows : undefined;
    }, 120_000);
    expect(run).toEqual({ status: 'done', attempts: 2 });
    const posted = kickoffs();
    expect(posted).toHaveLength(1);
    const [ledger] = await rowsIn(schema, `SELECT status, ts FROM slack_messages WHERE key LIKE 'kickoff:${TRAIN}:%'`);
    expect(ledger).toEqual({ status: 'sent', ts: posted[0]?.ts });
    const [assignment] = await rowsIn(
      schema,
      `SELECT "slackUserId", "announcementTs", "announcedAt" IS NOT NULL AS announced FROM train_assignments WHERE train = $1`,
      [TRAIN],
    );
    expect(assignment).toEqual({ slackUserId: OWNER, announcementTs: posted[0]?.ts, announced: true });
  });
});
