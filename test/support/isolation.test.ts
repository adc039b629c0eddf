/**
 * Test files running at once must not share PostgreSQL's advisory locks,
 * which belong to a database, not to a schema: with every file in one
 * database, a notice flush in one file found "another flusher busy" that was
 * another file's release 1 and left its notice unposted, and a roster import
 * waited for another file's roster transaction (the tagging tests under load).
 */
import { Client } from 'pg';
import { LOCK_NAMESPACES, tryWithAdvisoryLock, withAdvisoryLock } from '../../src/db/locks';
import { openTestDatabase, processDatabaseUrl, type TestDatabase } from './database';
import { testDatabaseUrl } from './env';

describe('test databases', () => {
  let mine: TestDatabase;
  beforeAll(async () => {
    mine = await openTestDatabase();
  });
  afterAll(async () => {
    await mine.drop();
  });

  test("this process's schemas live in its own database", () => {
    expect(new URL(processDatabaseUrl).pathname).toBe(`${new URL(testDatabaseUrl).pathname}_p${process.pid}`);
    expect(new URL(mine.url).pathname).toBe(new URL(processDatabaseUrl).pathname);
  });

  test("a lock held in this process's schema does not make another test process's flusher busy", async () => {
    // Where other test processes' schemas are not: the shared test database (where every file lived before).
    const other = new Client({ connectionString: testDatabaseUrl });
    await other.connect();
    try {
      const { key } = LOCK_NAMESPACES.releaseNotices;
      await withAdvisoryLock(mine.db.sql, { namespace: 'releaseNotices', id: 1 }, async () => {
        const [row] = (await other.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int4, $2::int4) AS locked', [key, 1])).rows;
        expect(row?.locked).toBe(true);
        await other.query('SELECT pg_advisory_unlock($1::int4, $2::int4)', [key, 1]);
        // Within this process's database the lock still means what it says.
        const again = await tryWithAdvisoryLock(mine.db.sql, { namespace: 'releaseNotices', id: 1 }, async () => 'ran');
        expect(again).toEqual({ locked: false });
      });
    } finally {
      await other.end();
    }
  });
});
