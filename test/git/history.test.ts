import { createGitRepositories, type GitRepository } from '../../src/git';
import { captureLogs } from '../support/logs';
import { createGitFixture, type GitFixture } from './fixture';

// Real git processes (many per test), on a shared 2-core machine.
jest.setTimeout(120_000);

describe('forward ports and where a commit is', () => {
  let fixture: GitFixture;
  let repository: GitRepository;
  const shas: Record<string, string> = {};
  beforeAll(() => {
    fixture = createGitFixture();
    const { git, commit } = fixture;
    shas.cut1 = commit('Initial', { 'a.txt': 'a\n', 'b.txt': 'b\n', 'c.txt': 'c\n', 'd.txt': 'd\n', 'h.txt': 'h\n' });
    git('tag', '-a', '-m', 'Train release 1', 'v1.1.0');
    git('branch', 'train-1');
    shas.f1 = commit('fix: one', { 'a.txt': 'A\n' });
    shas.f2 = commit('feat: two', { 'b.txt': 'B\n' });
    shas.cut2 = git('rev-parse', 'HEAD');
    git('tag', '-a', '-m', 'Train release 2', 'v1.2.0');
    git('branch', 'train-2');
    shas.f3 = commit('fix: three', { 'c.txt': 'C\n' });
    shas.f4 = commit('fix: four', { 'd.txt': 'D\n' });
    git('switch', '--quiet', 'train-1');
    git('cherry-pick', '-x', shas.f1);
    shas.p1 = git('rev-parse', 'HEAD');
    git('cherry-pick', '-x', shas.f3);
    shas.p3 = git('rev-parse', 'HEAD');
    shas.h1 = commit('fix: hotfix', { 'h.txt': 'train one\n' });
    git('cherry-pick', '-x', shas.f4);
    shas.p4 = git('rev-parse', 'HEAD');
    git('tag', '-a', '-m', 'Train release v1.1.1', 'v1.1.1');
    git('switch', '--quiet', 'train-2');
    commit('fix: hotfix', { 'h.txt': 'train two, differently\n' });
    git('cherry-pick', shas.f3);
    shas.q3 = git('rev-parse', 'HEAD');
    git('tag', '-a', '-m', 'Train release v1.2.1', 'v1.2.1');
    git('switch', '--quiet', 'main');
    git('push', '--quiet', 'origin', 'main', 'train-1', 'train-2', '--follow-tags');
    git('push', '--quiet', 'origin', 'refs/tags/v1.1.0', 'refs/tags/v1.1.1', 'refs/tags/v1.2.0', 'refs/tags/v1.2.1');
    repository = createGitRepositories({
      dataDir: fixture.dataDir,
      logger: captureLogs().logger,
      gitBinary: fixture.gitBinary,
      env: { PATH: process.env.PATH, HOME: fixture.root },
    }).open(fixture.remote);
  });
  afterAll(() => fixture.cleanup());

  test('each fix on the lower train after its cut, with how it was found on the upper one', async () => {
    expect(await repository.forwardPorts()).toEqual([
      { lower: 1, upper: 2, sha: shas.p1, subject: 'fix: one', onUpper: true, matchedBy: 'trailer' },
      { lower: 1, upper: 2, sha: shas.p3, subject: 'fix: three', onUpper: true, matchedBy: 'patch-id' },
      { lower: 1, upper: 2, sha: shas.h1, subject: 'fix: hotfix', onUpper: false, matchedBy: 'subject' },
      { lower: 1, upper: 2, sha: shas.p4, subject: 'fix: four', onUpper: false, matchedBy: null },
    ]);
    expect(await repository.forwardPorts({ train: 2 })).toEqual([]);
  });

  test('where: trains and tags holding a commit, directly or as a cherry-pick', async () => {
    expect(await repository.whereIs(shas.f3 ?? '')).toEqual({
      sha: shas.f3,
      subject: 'fix: three',
      onMain: true,
      trains: [
        { train: 1, branch: 'train-1', matchedBy: 'trailer', commit: shas.p3, tags: ['v1.1.1'] },
        { train: 2, branch: 'train-2', matchedBy: 'patch-id', commit: shas.q3, tags: ['v1.2.1'] },
      ],
    });
    expect(await repository.whereIs((shas.f1 ?? '').slice(0, 8))).toMatchObject({
      sha: shas.f1,
      trains: [
        { train: 1, matchedBy: 'trailer', commit: shas.p1, tags: ['v1.1.1'] },
        { train: 2, matchedBy: 'same-commit', commit: shas.f1, tags: ['v1.2.0', 'v1.2.1'] },
      ],
    });
    expect(await repository.whereIs(shas.h1 ?? '')).toMatchObject({
      onMain: false,
      trains: [{ train: 1, matchedBy: 'same-commit', tags: ['v1.1.1'] }],
    });
    await expect(repository.whereIs('0123456789abcdef')).rejects.toMatchObject({ reason: 'unknown-commit' });
  });
});
