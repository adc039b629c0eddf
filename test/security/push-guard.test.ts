/**
 * Issue 16 items 1-2 on real repositories: the private clone is separate, security tags count both
 * repositories, and every way a private commit could reach the public repository is refused by the guard.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { GitError, createGitRepositories, createPrivateRepository, runDotRelease, runStageDeploy, type GitRepository } from '../../src/git';
import { captureLogs } from '../support/logs';
import { FIX_FILE, FIX_SUBJECT, createTwoRemotes, run, type TwoRemotes } from './repos';

async function failure(promise: Promise<unknown>): Promise<GitError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GitError) return error;
    throw error;
  }
  throw new Error('expected a GitError');
}

function setUp(remotes: TwoRemotes, allowed: string[] = []) {
  const logs = captureLogs();
  const env = { PATH: process.env.PATH, HOME: remotes.fixture.root };
  const security = createPrivateRepository({
    dataDir: remotes.fixture.dataDir,
    logger: logs.logger,
    env,
    privateRemote: remotes.privateRemote,
    publicRemote: remotes.publicRemote,
    allowedCommits: async () => allowed,
  });
  const repositories = createGitRepositories({ dataDir: remotes.fixture.dataDir, logger: logs.logger, env, guard: security.guard });
  const publicRepository: GitRepository = repositories.open(remotes.publicRemote);
  return { security, publicRepository, logs };
}

/** The one way private objects get into the public cache: someone fetches them there (what the guard is for). */
function strayFetchIntoPublicCache(remotes: TwoRemotes): void {
  const gitRoot = path.join(remotes.fixture.dataDir, 'git');
  const [cache] = readdirSync(gitRoot).filter((name) => name.startsWith('remote-'));
  if (!cache) throw new Error('no public cache yet');
  run(path.join(gitRoot, cache), ['fetch', '--quiet', remotes.privateRemote, '+refs/heads/*:refs/stray/*']);
}

describe('security releases: private clone, numbering and the push guard', () => {
  let remotes: TwoRemotes;
  beforeEach(() => {
    remotes = createTwoRemotes();
  });
  afterEach(() => remotes.cleanup());

  test('start pushes train-1 to the private repository from a clone of its own; the public cache never knows the private remote', async () => {
    const { security, publicRepository } = setUp(remotes);
    const started = await security.startTrain(1);
    expect(started).toMatchObject({ branch: 'train-1', kind: 'pushed', head: remotes.publicGit('rev-parse', 'train-1') });
    expect(remotes.privateGit('rev-parse', 'train-1')).toBe(remotes.publicGit('rev-parse', 'train-1'));
    expect(await security.startTrain(1)).toMatchObject({ kind: 'already-there' });
    await publicRepository.listTrains();
    const gitRoot = path.join(remotes.fixture.dataDir, 'git');
    for (const cache of readdirSync(gitRoot).filter((name) => name.startsWith('remote-'))) {
      expect(run(path.join(gitRoot, cache), ['remote'])).toBe('origin');
      expect(run(path.join(gitRoot, cache), ['remote', 'get-url', 'origin'])).toBe(remotes.publicRemote);
    }
    const privateRoot = path.join(remotes.fixture.dataDir, 'git-private');
    const [privateCache = ''] = readdirSync(privateRoot).filter((name) => name.startsWith('private-'));
    expect(existsSync(path.join(privateRoot, privateCache, 'HEAD'))).toBe(true);
    // The public repository is a remote of the private clone, and nothing can be pushed to it from there.
    expect(() => run(path.join(privateRoot, privateCache), ['push', 'public', 'refs/remotes/origin/train-1:refs/heads/x'])).toThrow();
    expect(remotes.publicGit('branch', '--list', 'x')).toBe('');
  });

  test('tag: v1.N.P after the public AND the private tags (hyphenated private tags count), pushed alone to the private remote', async () => {
    const { security } = setUp(remotes);
    await security.startTrain(1);
    await expect(security.tag({ train: 1 })).rejects.toMatchObject({ reason: 'empty-plan' });
    // The numbering trap of mozilla/fxa-auth-server: v1.82.3-private … were numbered after each other (earlier ones).
    const before = remotes.privateGit('rev-parse', 'train-1');
    remotes.privateGit('tag', 'v1.1.2-private', before);
    remotes.privateGit('tag', 'v1.1.3-private', before);
    remotes.landFix();
    const head = remotes.privateGit('rev-parse', 'train-1');
    expect(await security.nextTag(1)).toBe('v1.1.4');
    const dry = await security.tag({ train: 1, dryRun: true });
    expect(dry).toEqual({ tag: 'v1.1.4', commit: head, pushedTo: null });
    expect(remotes.privateGit('tag', '--list', 'v1.1.4')).toBe('');
    const tagged = await security.tag({ train: 1 });
    expect(tagged).toEqual({ tag: 'v1.1.4', commit: head, pushedTo: remotes.privateRemote });
    expect(remotes.privateGit('cat-file', '-t', 'v1.1.4')).toBe('tag');
    expect(remotes.privateGit('tag', '-l', '--format=%(contents:subject)', 'v1.1.4')).toBe('Security release v1.1.4');
    // Only that tag went to the private remote, and nothing to the public one.
    expect(remotes.publicGit('tag', '--list').split('\n')).toEqual(['v1.1.0', 'v1.1.1']);
  });

  test('every leak path is refused with the offending commits: a branch, a tag, a dot-release pick, a stage deploy, a redone fix', async () => {
    const { security, publicRepository, logs } = setUp(remotes);
    await security.startTrain(1);
    const fix = remotes.landFix();
    const merged = remotes.privateGit('rev-parse', 'train-1');
    await security.tag({ train: 1 });
    const trainHead = remotes.publicGit('rev-parse', 'train-1');
    await publicRepository.listTrains();
    strayFetchIntoPublicCache(remotes);

    // 1. A branch: pushing the private train-1 (the fix and its merge) to the public train-1.
    const branch = await failure(publicRepository.pushTrain({ train: 1, head: merged, expectedOld: trainHead }));
    expect(branch.reason).toBe('private-leak');
    expect(branch.commits).toEqual(expect.arrayContaining([fix, merged]));
    expect(branch.message).toContain(fix.slice(0, 12));
    // 2. A tag on the private commit.
    const tag = await failure(publicRepository.tag({ train: 1, commit: merged }));
    expect(tag.reason).toBe('private-leak');
    const ownTag = await failure(publicRepository.pushTag({ tag: 'leak-test', commit: fix, message: 'x' }));
    expect(ownTag.reason).toBe('private-leak');
    // 3. A dot-release pick: cherry-picked with -x (a new commit, the same patch, a trailer naming the private commit).
    const picked = await publicRepository.pick({ train: 1, base: { kind: 'train' }, commit: fix });
    if (picked.kind !== 'picked') throw new Error('expected a clean pick');
    const pick = await failure(publicRepository.pushTrain({ train: 1, head: picked.head, expectedOld: trainHead }));
    expect(pick).toMatchObject({ reason: 'private-leak', commits: [picked.head] });
    // 4. A stage deploy of the private commit.
    const stage = await failure(
      runStageDeploy({ repository: publicRepository, commits: [fix], tag: 'stage-mallory-1', tagFormat: 'v1.{N}.{P}' }),
    );
    expect(stage.reason).toBe('private-leak');
    // 5. The fix redone by hand (no trailer, another message and parent): its file content is private-only.
    const redone = run(path.join(remotes.fixture.root, 'engineer-private'), ['rev-parse', 'HEAD']);
    expect(redone).toBe(merged);
    const work = remotes.fixture.work;
    run(work, ['fetch', '--quiet', 'origin']);
    run(work, ['switch', '--quiet', '-c', 'redo', 'origin/train-1']);
    run(work, ['fetch', '--quiet', remotes.privateRemote, 'fix-replay']);
    run(work, ['checkout', 'FETCH_HEAD', '--', FIX_FILE]);
    run(work, ['commit', '--quiet', '-m', 'unrelated-looking change']);
    const redoneHead = run(work, ['rev-parse', 'HEAD']);
    const gitRoot = path.join(remotes.fixture.dataDir, 'git');
    const [cache = ''] = readdirSync(gitRoot).filter((name) => name.startsWith('remote-'));
    run(path.join(gitRoot, cache), ['fetch', '--quiet', work, `+refs/heads/redo:refs/stray/redo`]);
    const redo = await failure(publicRepository.pushTrain({ train: 1, head: redoneHead, expectedOld: trainHead }));
    expect(redo).toMatchObject({ reason: 'private-leak', commits: [redoneHead] });

    // Nothing reached the public remote, and nothing about the fix is in the logs.
    expect(remotes.publicGit('rev-parse', 'train-1')).toBe(trainHead);
    expect(remotes.publicGit('tag', '--list').split('\n')).toEqual(['v1.1.0', 'v1.1.1']);
    expect(() => remotes.publicGit('cat-file', '-e', fix)).toThrow();
    const logged = logs.text();
    expect(logged).not.toContain(FIX_SUBJECT);
    expect(logged).not.toContain('oauth-secret-check');
    expect(logged).toContain('refused a push that would leak private commits');
  });

  test('after a security tag, a public dot release of the same train takes the next number and carries nothing of the fix', async () => {
    const { security, publicRepository } = setUp(remotes);
    await security.startTrain(1);
    const fix = remotes.landFix();
    expect((await security.tag({ train: 1 })).tag).toBe('v1.1.2');
    const report = await runDotRelease({ repository: publicRepository, train: 1, commits: [remotes.publicFix] });
    expect(report).toMatchObject({ picked: [remotes.publicFix], conflict: null, tag: 'v1.1.3' });
    expect(remotes.publicGit('rev-parse', 'v1.1.3^{commit}')).toBe(remotes.publicGit('rev-parse', 'train-1'));
    expect(() => remotes.publicGit('cat-file', '-e', fix)).toThrow();
    const fixBlob = remotes.privateGit('rev-parse', `${fix}:${FIX_FILE}`);
    expect(() => remotes.publicGit('cat-file', '-e', fixBlob)).toThrow();
  });

  test('an uplift (patches applied on the public main) is refused until the release is allowed, then pushed as a branch', async () => {
    const { security } = setUp(remotes);
    await security.startTrain(1);
    remotes.landFix();
    const { tag, commit } = await security.tag({ train: 1 });
    const fix = await security.fixOf({ train: 1, tag });
    expect(fix.files).toEqual([FIX_FILE]);
    const refused = setUp(remotes).publicRepository;
    const leak = await failure(
      refused.applyPatches({ base: 'main', patches: fix.patches, paths: fix.files, branch: 'security-uplift/v1.1.2' }),
    );
    expect(leak.reason).toBe('private-leak');
    expect(remotes.publicGit('branch', '--list', 'security-uplift/*')).toBe('');
    const allowed = setUp(remotes, [commit]).publicRepository;
    const pushed = await allowed.applyPatches({ base: 'main', patches: fix.patches, paths: fix.files, branch: 'security-uplift/v1.1.2' });
    expect(pushed).toMatchObject({ kind: 'pushed', branch: 'security-uplift/v1.1.2' });
    expect(remotes.publicGit('log', '-1', '--format=%s', 'security-uplift/v1.1.2')).toBe(FIX_SUBJECT);
    expect(remotes.publicGit('rev-parse', 'main')).not.toBe(remotes.publicGit('rev-parse', 'security-uplift/v1.1.2'));
  });

  test('an uplift that does not apply on main is a conflict with its files, and nothing is pushed', async () => {
    const { security } = setUp(remotes);
    await security.startTrain(1);
    remotes.landFix();
    const { tag, commit } = await security.tag({ train: 1 });
    remotes.fixture.commit('refactor(auth): rewrite the check', { [FIX_FILE]: 'module.exports = function check() { return false; };\n' });
    remotes.fixture.git('push', '--quiet', 'origin', 'main');
    const fix = await security.fixOf({ train: 1, tag });
    const allowed = setUp(remotes, [commit]).publicRepository;
    const result = await allowed.applyPatches({ base: 'main', patches: fix.patches, paths: fix.files, branch: `security-uplift/${tag}` });
    expect(result).toEqual({ kind: 'conflict', files: [FIX_FILE] });
    expect(remotes.publicGit('branch', '--list', 'security-uplift/*')).toBe('');
  });
});
