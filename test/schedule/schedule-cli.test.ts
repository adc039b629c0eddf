import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runCli } from '../../src/cli';
import { importRoster } from '../../src/rotation/roster-store';
import { openTestDatabase, type TestDatabase } from '../support/database';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

const now = () => new Date('2026-11-02T17:00:00Z');

describe('npx release-conductor schedule', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
    await importRoster({
      prisma: database.db.prisma,
      actor: 'U0ADMIN01',
      now: now(),
      startTrain: 302,
      members: [
        { slackUserId: 'U0ALICE01', displayName: 'Alice', githubLogin: null, timeZone: null },
        { slackUserId: 'U0BOB0001', displayName: 'Bob', githubLogin: null, timeZone: null },
      ],
    });
  });
  afterAll(async () => {
    await database.drop();
  });

  test('prints a JSON array: train, kickoff and cutoff as instants with their offset, owner', async () => {
    const { io, out, err } = capture();
    const code = await runCli(['schedule', '--json', '--count', '3'], { env: { DATABASE_URL: database.url }, io, now });
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual([
      {
        train: 302,
        kickoff: '2026-10-22T09:00:00.000-07:00',
        cutoff: '2026-11-04T10:00:00.000-08:00',
        owner: 'Alice',
        ownerSlackUserId: 'U0ALICE01',
      },
      {
        train: 303,
        kickoff: '2026-11-05T09:00:00.000-08:00',
        cutoff: '2026-11-18T10:00:00.000-08:00',
        owner: 'Bob',
        ownerSlackUserId: 'U0BOB0001',
      },
      {
        train: 304,
        kickoff: '2026-11-19T09:00:00.000-08:00',
        cutoff: '2026-12-02T10:00:00.000-08:00',
        owner: 'Alice',
        ownerSlackUserId: 'U0ALICE01',
      },
    ]);
  });

  test('prints a plain table in PT, ET and UTC; --from picks the starting day; across the March DST change', async () => {
    const { io, out } = capture();
    const code = await runCli(['schedule', '--from', '2027-03-01', '--count', '2'], { env: { DATABASE_URL: database.url }, io, now });
    expect(code).toBe(0);
    const lines = out.join('').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^train\s+kickoff\s+cutoff PT\s+cutoff ET\s+cutoff UTC\s+owner$/);
    // Train 311 is cut before DST starts (14 March 2027), 312 after: 18:00 then 17:00 UTC.
    expect(lines[1]).toMatch(/^311\s+.*Wed 10 Mar, 10:00 PST\s+Wed 10 Mar, 13:00 EST\s+Wed 10 Mar, 18:00 UTC\s+\w+/);
    expect(lines[2]).toMatch(/^312\s+.*Wed 24 Mar, 10:00 PDT\s+Wed 24 Mar, 13:00 EDT\s+Wed 24 Mar, 17:00 UTC\s+\w+/);
  });

  test('needs no Slack credentials and no database: owners are then unknown', async () => {
    const { io, out } = capture();
    const code = await runCli(['schedule', '--json', '--count', '1'], { env: { DATA_DIR: '/nonexistent-dir' }, io, now });
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual([expect.objectContaining({ train: 302, owner: null })]);
  });

  test.each([
    [['--from', '2026-13-45'], /--from expects a date such as 2026-11-04/],
    [['--from', 'yesterday'], /--from expects a date/],
    [['--count', '0'], /--count expects a whole number from 1 to 26/],
    [['--count', 'lots'], /--count expects a whole number/],
    [['--colour'], /Unknown option '--colour'/],
  ])('%j is refused with a clear message and exit code 2', async (args, message) => {
    const { io, out, err } = capture();
    const code = await runCli(['schedule', ...args], { env: {}, io, now });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(message);
    expect(out.join('')).toBe('');
  });

  test('works through npx’s bin entry', () => {
    const bin = path.resolve(__dirname, '../../bin/release-conductor.cjs');
    const result = spawnSync(process.execPath, [bin, 'schedule', '--json', '--count', '1', '--from', '2026-11-05'], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: '/nonexistent-dir' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ train: 303, cutoff: '2026-11-18T10:00:00.000-08:00' })]);
  });
});
