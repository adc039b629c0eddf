import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { GitError, createGitRepositories, runDotRelease, type GitRepository } from '../../src/git';
import { captureLogs } from '../support/logs';
import { createGitFixture, writeTrainHistory, type GitFixture } from './fixture';

function open(fixture: GitFixture): { repository: GitRepository; logs: ReturnType<typeof captureLogs> } {
  const logs = captureLogs();
  const repositories = createGitRepositories({
    dataDir: fixture.dataDir,
    logger: logs.logger,
    gitBinary: fixture.gitBinary,
    env: { PATH: process.env.PATH, HOME: fixture.root },
  });
  return { repository: repositories.open(fixture.remote), logs };
}

async function failure(promise: Promise<unknown>): Promise<GitError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GitError) return error;
    throw error;
  }
  throw new Error('expected a GitError');
}

// Real git processes (many per test), on a shared 2-core machine.
jest.setTimeout(120_000);

describe('dot release steps on real repositories', () => {
  let fixture: GitFixture;
  beforeEach(() => {
    fixture = createGitFixture();
  });
  afterEach(() => fixture.cleanup());

  test('classifies in main order, skipping what is on the train by ancestry, trailer or patch-id', async () => {
    const history = writeTrainHistory(fixture);
    const [fix1, fix2, fix3] = history.fixes;
    // fix1 picked by hand with -x (trailer), fix3 without -x (patch-id only).
    fixture.git('switch', '--quiet', 'train-1');
    fixture.git('cherry-pick', '-x', fix1);
    fixture.git('cherry-pick', fix3);
    const onTrain = fixture.git('rev-parse', 'HEAD');
    fixture.git('push', '--quiet', 'origin', 'train-1');
    const { repository } = open(fixture);
    const plan = await repository.classify({ train: 1, commits: [fix3, history.cut, fix2.slice(0, 10), fix1] });
    expect(plan.trainHead).toBe(onTrain);
    expect(plan.nextTag).toBe('v1.1.1');
    expect(plan.commits.map((c) => [c.sha, c.status, c.status === 'already-on-train' ? c.matchedBy : null])).toEqual([
      [history.cut, 'already-on-train', 'same-commit'],
      [fix1, 'already-on-train', 'trailer'],
      [fix2, 'to-pick', null],
      [fix3, 'already-on-train', 'patch-id'],
    ]);
    expect(plan.commits[2]?.subject).toBe('fix(a): first line');
  });

  test('picks three commits with -x, pushes train-1 fast-forward, then pushes the annotated tag by itself', async () => {
    const history = writeTrainHistory(fixture);
    const { repository } = open(fixture);
    const report = await runDotRelease({ repository, train: 1, commits: [...history.fixes].reverse() });
    expect(report).toEqual({
      picked: history.fixes,
      skipped: [],
      conflict: null,
      tree: expect.stringMatching(/^[0-9a-f]{40}$/),
      tag: 'v1.1.1',
    });
    const head = fixture.remoteGit('rev-parse', 'train-1');
    expect(fixture.remoteGit('rev-parse', 'train-1^{tree}')).toBe(report.tree);
    expect(fixture.remoteGit('merge-base', '--is-ancestor', history.cut, head)).toBe('');
    const messages = fixture
      .remoteGit('log', '--reverse', '--format=%B%x00', `${history.cut}..train-1`)
      .split('\0')
      .map((m) => m.trim())
      .filter(Boolean);
    expect(messages).toEqual([
      `fix(b): buzz\n\n(cherry picked from commit ${history.fixes[0]})`,
      `fix(a): first line\n\n(cherry picked from commit ${history.fixes[1]})`,
      `fix(c): salt\n\n(cherry picked from commit ${history.fixes[2]})`,
    ]);
    expect(fixture.remoteGit('cat-file', '-t', 'v1.1.1')).toBe('tag');
    expect(fixture.remoteGit('tag', '-l', '--format=%(contents:subject)', 'v1.1.1')).toBe('Train release v1.1.1');
    expect(fixture.remoteGit('rev-parse', 'v1.1.1^{commit}')).toBe(head);
    expect(fixture.remoteGit('show', 'train-1:a.txt')).toBe('ONE\ntwo\nthree');
    const pushes = fixture.recordedArgs().filter((args) => args.includes('push'));
    expect(pushes.some((args) => args.includes('--tags') || args.some((a) => a.startsWith('+')))).toBe(false);
    expect(pushes.map((args) => args.slice(args.indexOf('origin') + 1))).toEqual([
      [`${head}:refs/heads/train-1`],
      ['refs/tags/v1.1.1:refs/tags/v1.1.1'],
    ]);
    // A resumed run finds both steps done and does nothing twice.
    expect(await repository.pushTrain({ train: 1, head, expectedOld: history.cut })).toEqual({
      kind: 'already-pushed',
      branch: 'train-1',
      head,
      remoteHead: head,
    });
    expect(await repository.tag({ train: 1, commit: head, expectedTag: 'v1.1.1' })).toEqual({
      kind: 'already-tagged',
      tag: 'v1.1.1',
      commit: head,
    });
    // The next dot release of the train is numbered after it.
    expect((await repository.classify({ train: 1, commits: [history.later] })).nextTag).toBe('v1.1.2');
  });

  test('a conflict in the second of three commits stops there: nothing pushed to train-1, the clean pick on dot/train-1.1, then resume', async () => {
    const history = writeTrainHistory(fixture, { conflictOnSecond: true });
    const [fix1, fix2, fix3] = history.fixes;
    const trainBefore = fixture.remoteGit('rev-parse', 'train-1');
    const { repository } = open(fixture);
    const report = await runDotRelease({ repository, train: 1, commits: history.fixes, workBranch: 'dot/train-1.1' });
    expect(report.picked).toEqual([fix1]);
    expect(report.conflict).toEqual({ commit: fix2, files: ['a.txt'] });
    expect(report.tag).toBeNull();
    expect(fixture.remoteGit('rev-parse', 'train-1')).toBe(trainBefore);
    expect(fixture.remoteGit('tag', '-l', 'v1.1.1')).toBe('');
    const handOff = fixture.remoteGit('rev-parse', 'dot/train-1.1');
    expect(fixture.remoteGit('rev-parse', 'dot/train-1.1^')).toBe(trainBefore);
    expect(fixture.remoteGit('show', 'dot/train-1.1:b.txt')).toBe('bee buzz');

    // The owner finishes by hand as the hand-off message says, then presses Resume.
    fixture.git('fetch', '--quiet', 'origin');
    fixture.git('switch', '--quiet', '-c', 'dot/train-1.1', 'origin/dot/train-1.1');
    expect(() => fixture.git('cherry-pick', '-x', fix2)).toThrow();
    fixture.commit(`fix(a): first line\n\n(cherry picked from commit ${fix2})`, { 'a.txt': 'UNO\ntwo\nthree\n' });
    fixture.git('push', '--quiet', 'origin', 'dot/train-1.1');
    const branch = await repository.readWorkBranch({ train: 1, workBranch: 'dot/train-1.1' });
    expect(branch?.commits.map((c) => c.pickedFrom)).toEqual([fix1, fix2]);
    expect(branch?.commits[0]?.sha).toBe(handOff);
    const third = await repository.pick({
      train: 1,
      base: { kind: 'commit', sha: branch?.head ?? '', branch: 'dot/train-1.1' },
      commit: fix3,
      workBranch: 'dot/train-1.1',
    });
    expect(third).toMatchObject({ kind: 'picked', commit: fix3, empty: false });
    const head = third.kind === 'picked' ? third.head : '';
    expect(await repository.pushTrain({ train: 1, head, expectedOld: trainBefore })).toMatchObject({ kind: 'pushed', head });
    expect(await repository.tag({ train: 1, commit: head, expectedTag: 'v1.1.1' })).toEqual({
      kind: 'tagged',
      tag: 'v1.1.1',
      commit: head,
    });
    expect(fixture.remoteGit('show', 'v1.1.1:a.txt')).toBe('UNO\ntwo\nthree');
    expect(fixture.remoteGit('rev-parse', 'dot/train-1.1')).toBe(head);
  });

  test('bad plans: empty, unknown SHA, not on main, a train without a branch', async () => {
    const history = writeTrainHistory(fixture);
    fixture.git('switch', '--quiet', '-c', 'feature', history.cut);
    const side = fixture.commit('wip: not merged', { 'e.txt': 'e\n' });
    fixture.git('push', '--quiet', 'origin', 'feature');
    const { repository } = open(fixture);

    const empty = await failure(repository.classify({ train: 1, commits: [] }));
    expect([empty.reason, empty.userMessage]).toEqual([
      'empty-plan',
      'The plan for train 1 has no commit. Add at least one commit on main.',
    ]);

    const unknown = await failure(repository.classify({ train: 1, commits: [history.fixes[0], 'deadbeefdeadbeef', 'not-a-sha'] }));
    expect(unknown.reason).toBe('unknown-commit');
    expect(unknown.commits).toEqual(['deadbeefdeadbeef', 'not-a-sha']);
    expect(unknown.userMessage).toContain('The repository has no commit `deadbeefdeadbeef`, `not-a-sha`. Give the SHA of a commit on main');

    const notOnMain = await failure(repository.classify({ train: 1, commits: [side, history.fixes[0]] }));
    expect(notOnMain.reason).toBe('not-on-main');
    expect(notOnMain.commits).toEqual([side]);
    expect(notOnMain.userMessage).toContain(
      `\`${side.slice(0, 12)}\` is not on main. A dot release takes only commits already merged to main`,
    );

    const noBranch = await failure(repository.classify({ train: 7, commits: [history.fixes[0]] }));
    expect(noBranch.reason).toBe('no-train-branch');
    expect(noBranch.userMessage).toContain('Train 7 has no branch train-7 on the remote');
    expect(fixture.recordedArgs().filter((args) => args.includes('push'))).toEqual([]);
  });

  test('the historical train-0N branch names are accepted', async () => {
    const cut = fixture.commit('Initial', { 'a.txt': 'a\n' });
    fixture.git('tag', '-a', '-m', 'Train release 3', 'v1.3.0', cut);
    fixture.git('branch', 'train-03', cut);
    const fix = fixture.commit('fix: a', { 'a.txt': 'A\n' });
    fixture.git('push', '--quiet', 'origin', 'main', 'train-03', 'refs/tags/v1.3.0');
    const { repository } = open(fixture);
    expect(await repository.listTrains()).toEqual([{ train: 3, branch: 'train-03', head: cut }]);
    const report = await runDotRelease({ repository, train: 3, commits: [fix] });
    expect(report).toMatchObject({ picked: [fix], tag: 'v1.3.1' });
    expect(fixture.remoteGit('show', 'train-03:a.txt')).toBe('A');
  });

  test('a protected train branch: the push is refused, said so, and nothing is tagged', async () => {
    const history = writeTrainHistory(fixture);
    fixture.protect('refs/heads/train-1');
    const { repository } = open(fixture);
    const error = await failure(runDotRelease({ repository, train: 1, commits: history.fixes }));
    expect(error.reason).toBe('push-rejected');
    expect(error.userMessage).toContain('The remote refused my push (pre-receive hook declined)');
    expect(fixture.remoteGit('rev-parse', 'train-1')).toBe(history.cut);
    expect(fixture.remoteGit('tag', '-l', 'v1.1.*')).toBe('v1.1.0');
  });

  test('train-1 moved on the remote during the run: pushTrain says so and pushes nothing; runDotRelease redoes on the new tip', async () => {
    const history = writeTrainHistory(fixture);
    const { repository } = open(fixture);
    const plan = await repository.classify({ train: 1, commits: history.fixes });
    const first = await repository.pick({ train: 1, base: { kind: 'train' }, commit: history.fixes[0] });
    // Someone pushes to train-1 meanwhile.
    fixture.git('switch', '--quiet', 'train-1');
    const theirs = fixture.commit('train-only: hotfix', { 'z.txt': 'z\n' });
    fixture.git('push', '--quiet', 'origin', 'train-1');
    const head = first.kind === 'picked' ? first.head : '';
    expect(await repository.pushTrain({ train: 1, head, expectedOld: plan.trainHead })).toEqual({
      kind: 'remote-moved',
      branch: 'train-1',
      expectedOld: history.cut,
      remoteHead: theirs,
    });
    expect(fixture.remoteGit('rev-parse', 'train-1')).toBe(theirs);
    const report = await runDotRelease({ repository, train: 1, commits: history.fixes });
    expect(report).toMatchObject({ picked: history.fixes, tag: 'v1.1.1', conflict: null });
    expect(fixture.remoteGit('merge-base', '--is-ancestor', theirs, 'train-1')).toBe('');
  });

  test('a push that is not a fast-forward is refused before reaching the remote (never a force)', async () => {
    const history = writeTrainHistory(fixture);
    fixture.git('switch', '--quiet', '--orphan', 'unrelated');
    const unrelated = fixture.commit('unrelated history', { 'u.txt': 'u\n' });
    fixture.git('push', '--quiet', 'origin', 'unrelated');
    const { repository } = open(fixture);
    const error = await failure(repository.pushTrain({ train: 1, head: unrelated, expectedOld: history.cut }));
    expect(error.reason).toBe('not-fast-forward');
    expect(error.userMessage).toContain('does not build on train-1');
    expect(error.userMessage).toContain('I never force-push a train branch');
    expect(fixture.remoteGit('rev-parse', 'train-1')).toBe(history.cut);
    expect(fixture.recordedArgs().filter((args) => args.includes('push'))).toEqual([]);
  });

  test('a tag that appeared meanwhile: nothing tagged, the next number said', async () => {
    const history = writeTrainHistory(fixture);
    const { repository } = open(fixture);
    const plan = await repository.classify({ train: 1, commits: history.fixes });
    let base: { kind: 'train' } | { kind: 'commit'; sha: string } = { kind: 'train' };
    let head = plan.trainHead;
    for (const commit of history.fixes) {
      const picked = await repository.pick({ train: 1, base, commit });
      if (picked.kind !== 'picked') throw new Error('unexpected conflict');
      head = picked.head;
      base = { kind: 'commit', sha: head };
    }
    await repository.pushTrain({ train: 1, head, expectedOld: plan.trainHead });
    fixture.git('tag', '-a', '-m', 'by hand', 'v1.1.1', history.cut);
    fixture.git('push', '--quiet', 'origin', 'refs/tags/v1.1.1');
    const error = await failure(repository.tag({ train: 1, commit: head, expectedTag: plan.nextTag }));
    expect(error.reason).toBe('tag-appeared');
    expect(error.userMessage).toContain('The tag v1.1.1 appeared on the remote meanwhile');
    expect(error.userMessage).toContain('plan v1.1.2');
    expect(fixture.remoteGit('rev-parse', 'v1.1.1^{commit}')).toBe(history.cut);
    expect(fixture.remoteGit('tag', '-l', 'v1.1.2')).toBe('');
    // A hyphenated tag never counts.
    fixture.git('tag', 'v1.1.5-rc1', history.cut);
    fixture.git('push', '--quiet', 'origin', 'refs/tags/v1.1.5-rc1');
    expect(await repository.tag({ train: 1, commit: head })).toEqual({ kind: 'tagged', tag: 'v1.1.2', commit: head });
  });

  test('network failure in the middle of a fetch, and a full disk: clear errors, nothing pushed', async () => {
    const history = writeTrainHistory(fixture);
    const { repository, logs } = open(fixture);
    fixture.failNext(
      'fetch',
      'error: RPC failed; curl 18 transfer closed with outstanding read data remaining\nfatal: early EOF\nfatal: fetch-pack: invalid index-pack output',
    );
    const network = await failure(repository.classify({ train: 1, commits: history.fixes }));
    expect(network.reason).toBe('network');
    expect(network.userMessage).toContain('I could not talk to the git remote');
    fixture.failNext('fetch', 'fatal: write error: No space left on device');
    const disk = await failure(runDotRelease({ repository, train: 1, commits: history.fixes }));
    expect(disk.reason).toBe('disk-full');
    expect(disk.userMessage).toContain('The disk that holds my git cache is full');
    fixture.heal();
    // The cache recovers on the next run.
    expect(await runDotRelease({ repository, train: 1, commits: history.fixes })).toMatchObject({ tag: 'v1.1.1' });
    expect(logs.text()).not.toContain('undefined');
  });

  test('two operations at once on a fresh cache are serialised (one clone, both answered)', async () => {
    const history = writeTrainHistory(fixture);
    const { repository } = open(fixture);
    const [a, b] = await Promise.all([
      repository.classify({ train: 1, commits: [history.fixes[0]] }),
      repository.classify({ train: 1, commits: [history.fixes[1]] }),
    ]);
    expect([a.commits[0]?.sha, b.commits[0]?.sha]).toEqual([history.fixes[0], history.fixes[1]]);
    expect(fixture.recordedArgs().filter((args) => args.includes('init')).length).toBe(1);
  });

  test('the cache is a partial clone: blobs are fetched only when a pick needs them', async () => {
    const history = writeTrainHistory(fixture);
    const { repository } = open(fixture);
    await repository.classify({ train: 1, commits: [history.fixes[0]] });
    const fetches = fixture.recordedArgs().filter((args) => args.includes('fetch'));
    expect(fetches[0]).toEqual(expect.arrayContaining(['--filter=blob:none']));
    const gitDir = path.join(fixture.dataDir, 'git');
    const cache = path.join(gitDir, readdirSync(gitDir).find((name) => name.startsWith('remote-')) ?? 'none');
    const missing = (): string[] =>
      execFileSync('git', ['rev-list', '--objects', '--missing=print', '--all'], { cwd: cache, encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.startsWith('?'));
    // Blobs of d.txt (added on main after the cut) were never needed.
    const dBlob = fixture.git('rev-parse', `${history.later}:d.txt`);
    expect(missing()).toContain(`?${dBlob}`);
  });
});
