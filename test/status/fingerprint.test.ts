import { addNote, removeNote } from '../../src/notes/notes-store';
import { recordAnswer } from '../../src/reminders/answer-store';
import { addRosterMember, setRosterEmoji } from '../../src/rotation/roster-store';
import { composeFingerprintQuery, DASHBOARD_TABLES, readDashboardFingerprint } from '../../src/status/status-store';
import { openTestDatabase, type TestDatabase } from '../support/database';

let test: TestDatabase;

beforeAll(async () => {
  test = await openTestDatabase();
});

afterAll(async () => {
  await test.drop();
});

const at = (minute: number): Date => new Date(Date.UTC(2026, 10, 2, 12, minute));

describe("the dashboard's change fingerprint", () => {
  it('covers the tables the dashboard reads, each from the store that owns it, in one query', () => {
    expect(DASHBOARD_TABLES.map((part) => part.table)).toEqual([
      'roster_members',
      'roster_skips',
      'train_assignments',
      'app_state',
      'deploy_notes',
      'pull_request_answers',
      'patch_requests',
      'dot_releases',
      'tag_releases',
      'train_threads',
      'qa_signoffs',
      'stage_deploys',
    ]);
    expect(composeFingerprintQuery([{ table: 'tag_releases', changedAt: ['updatedAt', 'stateSince'] }])).toBe(
      `SELECT concat_ws('|',\n  (SELECT count(*) || '/' || coalesce(max("updatedAt")::text, '') || '/' || coalesce(max("stateSince")::text, '') FROM tag_releases)\n) AS fingerprint`,
    );
  });

  it('changes when a row is added, updated or removed, and only then', async () => {
    const { prisma, sql } = test.db;
    const empty = await readDashboardFingerprint({ sql });
    expect(await readDashboardFingerprint({ sql })).toBe(empty);

    const member = { slackUserId: 'U0ALICE01', displayName: 'Alice', githubLogin: 'alice', timeZone: null };
    await addRosterMember({ prisma, actor: 'U0ADMIN01', now: at(1), member, startTrain: 302 });
    const added = await readDashboardFingerprint({ sql });
    expect(added).not.toBe(empty);
    await setRosterEmoji({ prisma, actor: 'U0ALICE01', now: at(2), slackUserId: 'U0ALICE01', emoji: ':tada:' });
    const updated = await readDashboardFingerprint({ sql });
    expect(updated).not.toBe(added);

    const note = await addNote({
      prisma,
      train: 302,
      text: 'Run the migration first',
      forSre: true,
      authorSlackId: 'U0ALICE01',
      now: at(3),
    });
    const noted = await readDashboardFingerprint({ sql });
    expect(noted).not.toBe(updated);
    await removeNote({ prisma, note, actor: 'U0ALICE01', now: at(4) });
    const removed = await readDashboardFingerprint({ sql });
    expect(removed).not.toBe(noted);

    await recordAnswer({ prisma, train: 302, number: 7, authorSlackId: 'U0ALICE01', answer: 'land', headSha: 'a'.repeat(40), now: at(5) });
    const answered = await readDashboardFingerprint({ sql });
    expect(answered).not.toBe(removed);
    await recordAnswer({ prisma, train: 302, number: 7, authorSlackId: 'U0ALICE01', answer: 'roll', headSha: 'a'.repeat(40), now: at(6) });
    const changedMind = await readDashboardFingerprint({ sql });
    expect(changedMind).not.toBe(answered);
    expect(await readDashboardFingerprint({ sql })).toBe(changedMind);
  });
});
