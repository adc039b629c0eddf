import { applyMigrations, readLocalMigrations } from '../../src/db/migrate';
import { reminderKey } from '../../src/reminders/message-ledger';
import { openTestDatabase, silentLogger, type TestDatabase } from '../support/database';

const migrations = readLocalMigrations();
const LEDGER = '20261201090000_slack_message_ledger';

describe('the migration to one message ledger', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await database.drop();
  });

  test("moves the reminders' rows with the keys the reminders use now, and drops their table", async () => {
    const index = migrations.findIndex((migration) => migration.name === LEDGER);
    expect(index).toBeGreaterThan(0);
    await applyMigrations({ sql: database.db.sql, logger: silentLogger, migrations: migrations.slice(0, index) });
    const sweep = new Date('2026-11-04T16:00:00.000Z');
    const at = new Date('2026-11-04T16:00:01.234Z');
    await database.db.sql.query(
      `INSERT INTO "reminder_messages" ("id", "train", "kind", "scheduledAt", "recipient", "status", "channel", "ts", "error", "createdAt", "updatedAt")
       VALUES (7, 302, 'sweep-dm', $1, 'U0ALICE01', 'sent', 'D0ALICE01', '1700000000.000100', NULL, $2, $2),
              (9, 302, 'sweep-dm', $3, 'U0BOB0001', 'failed', NULL, NULL, 'cannot_dm_bot', $2, $2)`,
      [sweep, at, new Date('2026-11-04T18:30:00.5Z')],
    );
    await applyMigrations({ sql: database.db.sql, logger: silentLogger, migrations });

    const rows = await database.db.prisma.slackMessage.findMany({ orderBy: { id: 'asc' } });
    expect(rows).toEqual([
      {
        id: 7,
        key: reminderKey({ train: 302, kind: 'sweep-dm', scheduledAt: sweep, recipient: 'U0ALICE01' }),
        train: 302,
        kind: 'sweep-dm',
        scheduledAt: sweep,
        recipient: 'U0ALICE01',
        status: 'sent',
        channel: 'D0ALICE01',
        ts: '1700000000.000100',
        error: null,
        createdAt: at,
        updatedAt: at,
      },
      expect.objectContaining({
        id: 9,
        key: reminderKey({ train: 302, kind: 'sweep-dm', scheduledAt: new Date('2026-11-04T18:30:00.5Z'), recipient: 'U0BOB0001' }),
        status: 'failed',
        error: 'cannot_dm_bot',
      }),
    ]);
    // New rows take ids after the moved ones.
    const created = await database.db.prisma.slackMessage.create({
      data: { key: 'k', recipient: 'C1', status: 'sending', createdAt: at, updatedAt: at },
    });
    expect(created.id).toBe(10);
    const tables = await database.db.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'reminder_messages'`,
      [database.schema],
    );
    expect(tables).toEqual([{ n: '0' }]);
  });
});
