import { setTimeout as sleep } from 'node:timers/promises';
import { LOCK_NAMESPACES, lockForTransaction, tryWithAdvisoryLock, withAdvisoryLock } from '../../src/db/locks';
import { openTestDatabase, type TestDatabase } from '../support/database';

// Advisory locks are per database, not per schema: ids are drawn at random so parallel test files never meet.
const freshId = () => 1_000_000 + Math.floor(Math.random() * 1_000_000_000);

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

describe('advisory locks', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await database.drop();
  });

  test('every namespace has its own number, and the numbers are those older versions take', () => {
    const keys = Object.values(LOCK_NAMESPACES).map((namespace) => namespace.key);
    expect(new Set(keys).size).toBe(keys.length);
    // Replicas of the previous version take these very locks during a rolling deploy: never renumber them.
    expect(LOCK_NAMESPACES).toEqual({
      migrations: { kind: 'single', key: 72707369 },
      roster: { kind: 'single', key: 0x726f7374 },
      ownerSummary: { kind: 'keyed', key: 0x73756d6d },
      trainThread: { kind: 'keyed', key: 0x74687264 },
      releaseNotices: { kind: 'keyed', key: 0x6e746365 },
      patchTrain: { kind: 'keyed', key: 0x70617463 },
      patchAnnouncement: { kind: 'keyed', key: 0x616e6e6f },
      gitRepository: { kind: 'keyed', key: 0x67697472 },
    });
  });

  test('a second holder waits until the first lets go', async () => {
    const id = freshId();
    const order: string[] = [];
    const { promise: held, fire: release } = signal();
    const first = withAdvisoryLock(database.db.sql, { namespace: 'ownerSummary', id }, async () => {
      order.push('first in');
      await held;
      order.push('first out');
    });
    await sleep(50);
    const second = withAdvisoryLock(database.db.sql, { namespace: 'ownerSummary', id }, async () => {
      order.push('second in');
    });
    await sleep(100);
    expect(order).toEqual(['first in']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
  });

  test('a try fails while the lock is held, and succeeds once it is let go, also after a failure', async () => {
    const id = freshId();
    const { promise: held, fire: release } = signal();
    const { promise: inside, fire: entered } = signal();
    const first = withAdvisoryLock(database.db.sql, { namespace: 'releaseNotices', id }, async () => {
      entered();
      await held;
    });
    await inside;
    const work = jest.fn(async () => 'ran');
    await expect(tryWithAdvisoryLock(database.db.sql, { namespace: 'releaseNotices', id }, work)).resolves.toEqual({ locked: false });
    expect(work).not.toHaveBeenCalled();
    // Another id of the namespace, or the same id in another namespace, is another lock.
    await expect(tryWithAdvisoryLock(database.db.sql, { namespace: 'releaseNotices', id: id + 1 }, work)).resolves.toEqual({
      locked: true,
      value: 'ran',
    });
    await expect(tryWithAdvisoryLock(database.db.sql, { namespace: 'trainThread', id }, work)).resolves.toEqual({
      locked: true,
      value: 'ran',
    });
    release();
    await first;
    await expect(
      withAdvisoryLock(database.db.sql, { namespace: 'releaseNotices', id }, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(tryWithAdvisoryLock(database.db.sql, { namespace: 'releaseNotices', id }, work)).resolves.toEqual({
      locked: true,
      value: 'ran',
    });
  });

  test('the registry takes the same lock as the raw SQL of older versions', async () => {
    const id = freshId();
    await database.db.sql.withSession(async (session) => {
      await session.query('SELECT pg_advisory_lock($1, $2)', [0x70617463, id]);
      try {
        await expect(tryWithAdvisoryLock(database.db.sql, { namespace: 'patchTrain', id }, async () => 'ran')).resolves.toEqual({
          locked: false,
        });
      } finally {
        await session.query('SELECT pg_advisory_unlock($1, $2)', [0x70617463, id]);
      }
    });
  });

  test('a transaction-scoped lock is held until the transaction ends', async () => {
    const id = freshId();
    const { promise: held, fire: release } = signal();
    const { promise: inside, fire: entered } = signal();
    const transaction = database.db.prisma.$transaction(async (tx) => {
      await lockForTransaction(tx, { namespace: 'patchAnnouncement', id });
      entered();
      await held;
    });
    await inside;
    await expect(tryWithAdvisoryLock(database.db.sql, { namespace: 'patchAnnouncement', id }, async () => 'ran')).resolves.toEqual({
      locked: false,
    });
    release();
    await transaction;
    await expect(tryWithAdvisoryLock(database.db.sql, { namespace: 'patchAnnouncement', id }, async () => 'ran')).resolves.toEqual({
      locked: true,
      value: 'ran',
    });
  });
});
