/** The repository lock across replicas: a PostgreSQL advisory lock in its own namespace. */
import { tryWithAdvisoryLock } from '../../src/db/locks';
import { advisoryRepositoryLock, createGitRepositories, runDotRelease } from '../../src/git';
import { repositoryLockId } from '../../src/git/lock';
import { captureLogs } from '../support/logs';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { createGitFixture, writeTrainHistory } from './fixture';

jest.setTimeout(120_000);

describe('advisoryRepositoryLock', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  test('another session cannot take a repository while it is held; other repositories are free', async () => {
    const lock = advisoryRepositoryLock(database.db.sql);
    let release = () => {};
    let entered = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const held = lock('/repo/a.git', () => {
      entered();
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await inside;
    const tryTake = (key: string) =>
      tryWithAdvisoryLock(database.db.sql, { namespace: 'gitRepository', id: repositoryLockId(key) }, async () => 'taken');
    expect(await tryTake('/repo/a.git')).toEqual({ locked: false });
    expect(await tryTake('/repo/b.git')).toEqual({ locked: true, value: 'taken' });
    release();
    await held;
    expect(await tryTake('/repo/a.git')).toEqual({ locked: true, value: 'taken' });
  });

  test('two replicas (two caches) running the same dot release at once: picked, pushed and tagged once', async () => {
    const fixture = createGitFixture();
    try {
      const history = writeTrainHistory(fixture);
      const replica = (name: string) =>
        createGitRepositories({
          dataDir: `${fixture.dataDir}-${name}`,
          logger: captureLogs().logger,
          gitBinary: fixture.gitBinary,
          env: { PATH: process.env.PATH, HOME: fixture.root },
          lock: advisoryRepositoryLock(database.db.sql),
        }).open(fixture.remote);
      const reports = await Promise.all(
        ['a', 'b'].map((name) => runDotRelease({ repository: replica(name), train: 1, commits: history.fixes })),
      );
      // The second to get the lock finds the fixes on the train (nothing to tag: null) or, when both picked the same
      // second, its identical result already pushed and tagged (it reports that tag). Either way the remote has one of each.
      expect(reports.map((r) => r.tag)).toContain('v1.1.1');
      for (const report of reports) expect([null, 'v1.1.1']).toContain(report.tag);
      expect(fixture.remoteGit('tag', '-l', 'v1.1.*').split('\n')).toEqual(['v1.1.0', 'v1.1.1']);
      expect(fixture.remoteGit('rev-list', '--count', `${history.cut}..train-1`)).toBe('3');
    } finally {
      fixture.cleanup();
    }
  });
});
