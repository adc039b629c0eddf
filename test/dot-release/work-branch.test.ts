/**
 * The hand-off branch `dot/train-N.P` (the clean picks are pushed there, for a conflict's hand-off and a resume
 * on another replica) is deleted from the remote once the dot release is over: tagged by the bot, tagged by hand
 * (the tag's webhook), or abandoned; idempotently, through the one push (a delete refspec, leased), never a force
 * of anything else. A released run says nothing about it; an abandoned one says in the train's thread how to
 * bring the branch back. A branch holding commits the tag does not have is left, and said.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createGitRepositories, noRepositoryLock } from '../../src/git';
import { checkPushRefspecs } from '../../src/git/repositories';
import { DOT_RELEASE_ABANDON_ACTION } from '../../src/dot-release/run-view';
import { sendWebhook } from '../fakes/github-webhooks';
import { createGitFixture, type TrainHistory, writeTrainHistory } from '../git/fixture';
import { dmsOf, eventually } from '../patches/helpers';
import { silentLogger } from '../support/database';
import {
  BOB,
  CHANNEL,
  ENGINEER,
  approve,
  buttonValue,
  mirrorToGitHub,
  press,
  requestFix,
  runFromSlack,
  sh,
  startDotScene,
  waitForResponse,
  type DotScene,
} from './scene';

jest.setTimeout(240_000);

const SECRET = 'webhook-secret-of-the-work-branch-tests';

const branchesOnRemote = (scene: DotScene) => scene.fixture.remoteGit('for-each-ref', '--format=%(refname)', 'refs/heads/dot/');
const threadNotes = (scene: DotScene) => scene.h.slack.messagesIn(CHANNEL).filter((m) => m.thread_ts && m.text.includes('hand-off branch'));

/**
 * A hook of the bare remote that holds the delete of `branch` until released (60 s at most): while it is held,
 * the test sees what a process killed (SIGKILL) in the middle of it would have left recorded.
 */
function holdDeleteOf(scene: DotScene, branch: string): { held: () => Promise<void>; release: () => void } {
  const holding = path.join(scene.fixture.root, 'delete-holding');
  const release = path.join(scene.fixture.root, 'delete-release');
  const hook = path.join(scene.fixture.remote, 'hooks', 'pre-receive');
  writeFileSync(
    hook,
    `#!/bin/sh
while read old new ref; do
  if [ "$ref" = 'refs/heads/${branch}' ] && [ "$new" = 0000000000000000000000000000000000000000 ]; then
    : > '${holding}'
    i=0
    while [ ! -f '${release}' ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
  fi
done
`,
  );
  chmodSync(hook, 0o755);
  return {
    held: () => eventually(async () => existsSync(holding), 60_000).then(() => undefined),
    release: () => writeFileSync(release, ''),
  };
}

const planStatus = async (scene: DotScene) =>
  (await scene.h.bot.database.prisma.dotRelease.findFirst({ where: { tag: 'v1.302.1' } }))?.status;

describe('the hand-off branch of a dot release', () => {
  let scene: DotScene;
  afterEach(async () => {
    await scene?.close();
  });

  test('released by the bot: the branch is deleted, the train and the tag stay, nothing is said about it', async () => {
    scene = await startDotScene();
    const { h, fixture, fixes } = scene;
    await approve(h, await requestFix(h, ENGINEER, fixes));
    const outcome = await runFromSlack(h, 302, 1);
    expect(outcome).toContain('released');
    expect(branchesOnRemote(scene)).toBe('');
    expect(fixture.remoteGit('rev-parse', 'v1.302.1^{commit}')).toBe(fixture.remoteGit('rev-parse', 'train-302'));
    expect(threadNotes(scene)).toEqual([]);
  });

  test('a conflict abandoned: the branch is deleted, and the thread says once how to bring it back', async () => {
    scene = await startDotScene({ conflictOnSecond: true });
    const { h, fixture, fixes } = scene;
    await approve(h, await requestFix(h, ENGINEER, fixes));
    expect(await runFromSlack(h, 302, 1)).toContain('stopped at a conflict');
    const handOff = fixture.remoteGit('rev-parse', 'dot/train-302.1');
    const message = dmsOf(h, BOB).find((m) => m.text.includes('stopped at a conflict'));
    if (!message) throw new Error('no hand-off DM');
    const before = h.slack.responses.length;
    // The branch is deleted before the close is recorded: a process killed during the delete has not closed the
    // plan yet, and the next abandon deletes it (idempotently) then closes it.
    const hold = holdDeleteOf(scene, 'dot/train-302.1');
    const pressed = press(h, BOB, DOT_RELEASE_ABANDON_ACTION, buttonValue(message, DOT_RELEASE_ABANDON_ACTION), message, false);
    try {
      await hold.held();
      expect(await planStatus(scene)).toBe('conflict');
    } finally {
      hold.release();
      await pressed;
    }
    expect(await waitForResponse(h, before, /abandoned/)).toContain('Dot release 302.1');
    expect(await planStatus(scene)).toBe('abandoned');
    expect(branchesOnRemote(scene)).toBe('');
    const notes = threadNotes(scene);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.text).toContain(`git push origin ${handOff}:refs/heads/dot/train-302.1`);
    // Abandoned again: nothing more to delete, nothing more said.
    const again = h.slack.responses.length;
    await press(h, BOB, DOT_RELEASE_ABANDON_ACTION, buttonValue(message, DOT_RELEASE_ABANDON_ACTION), message, false);
    await waitForResponse(h, again, /abandoned/);
    expect(threadNotes(scene)).toHaveLength(1);
  });

  test('a conflict finished and tagged by hand (its webhook): the plan closes and the branch is deleted', async () => {
    scene = await startDotScene({ conflictOnSecond: true, env: { GITHUB_WEBHOOK_SECRET: SECRET } });
    const { h, fixture, fixes } = scene;
    await approve(h, await requestFix(h, ENGINEER, fixes));
    expect(await runFromSlack(h, 302, 1)).toContain('stopped at a conflict');
    // The owner finishes the picks on the hand-off branch, pushes it to the train and tags by hand.
    const clone = `${fixture.root}/owner`;
    const git = 'git -c user.name=Bob -c user.email=bob@example.com';
    sh(fixture.root, `git clone --quiet ${fixture.remote} owner`);
    sh(clone, `${git} switch -q -C dot/train-302.1 origin/dot/train-302.1`);
    sh(clone, `${git} cherry-pick -x ${fixes[1]} 2>/dev/null || true`);
    sh(clone, `printf 'ONE\\ntwo\\nthree\\n' > a.txt && git add -A && GIT_EDITOR=true ${git} cherry-pick --continue >/dev/null`);
    sh(clone, `${git} cherry-pick -x ${fixes[2]} >/dev/null && git push -q origin dot/train-302.1 HEAD:train-302`);
    sh(clone, `${git} tag -a -m 'Train release v1.302.1' v1.302.1 && git push -q origin refs/tags/v1.302.1`);
    mirrorToGitHub(fixture, h.github);
    const hold = holdDeleteOf(scene, 'dot/train-302.1');
    const repository = { id: 1, name: 'fxa', full_name: 'mozilla/fxa', private: false };
    const create = { ref: 'v1.302.1', ref_type: 'tag', master_branch: 'main', pusher_type: 'user', repository, sender: { login: 'bob' } };
    expect(await sendWebhook({ url: `${h.bot.url}/github/webhooks`, secret: SECRET, event: 'create', payload: create })).toBe(202);
    // Deleted before the close is recorded (a process killed during the delete leaves the plan open).
    try {
      await hold.held();
      expect(await planStatus(scene)).toBe('conflict');
    } finally {
      hold.release();
    }
    await eventually(async () => (dmsOf(h, ENGINEER).some((m) => m.text.includes('is tagged `v1.302.1`')) ? true : undefined), 60_000);
    await eventually(async () => (branchesOnRemote(scene) === '' ? true : undefined), 60_000);
    expect(threadNotes(scene)).toEqual([]);
  });
});

describe('deleteWorkBranch on a real bare remote', () => {
  const fixture = createGitFixture();
  afterAll(() => fixture.cleanup());
  let history: TrainHistory;
  beforeAll(() => {
    history = writeTrainHistory(fixture);
  });
  // The private repository's push guard (issue 16), as a recorder: a delete sends nothing, so it is not asked
  // (the real guard lists what the sources of a push would send; a delete refspec has none).
  const guarded: string[][] = [];
  const repository = () =>
    createGitRepositories({
      dataDir: fixture.dataDir,
      logger: silentLogger,
      lock: noRepositoryLock,
      env: { PATH: process.env.PATH, HOME: fixture.root },
      guard: {
        checkPush: async (push) => void guarded.push(push.refspecs),
        countedTags: async () => [],
      },
    }).open(fixture.remote);

  test('deletes once (then absent), keeps a branch holding commits the tag lacks, touches nothing else', async () => {
    const train = fixture.remoteGit('rev-parse', 'train-1');
    fixture.git('push', '--quiet', 'origin', `${train}:refs/heads/dot/train-1.1`);
    const git = repository();
    expect(await git.deleteWorkBranch({ workBranch: 'dot/train-1.1', mergedInto: train })).toEqual({ kind: 'deleted', head: train });
    expect(await git.deleteWorkBranch({ workBranch: 'dot/train-1.1', mergedInto: train })).toEqual({ kind: 'absent' });
    // A fix pushed on the branch that the tag does not have: left as it is.
    const [fix] = history.fixes;
    fixture.git('push', '--quiet', 'origin', `${fix}:refs/heads/dot/train-1.2`);
    expect(await git.deleteWorkBranch({ workBranch: 'dot/train-1.2', mergedInto: train })).toEqual({ kind: 'kept', head: fix });
    expect(fixture.remoteGit('rev-parse', 'dot/train-1.2')).toBe(fix);
    // Without a release (abandoned) it goes.
    expect(await git.deleteWorkBranch({ workBranch: 'dot/train-1.2' })).toEqual({ kind: 'deleted', head: fix });
    expect(fixture.remoteGit('for-each-ref', '--format=%(refname)', 'refs/heads/dot/')).toBe('');
    expect(fixture.remoteGit('rev-parse', 'train-1')).toBe(train);
    expect(guarded).toEqual([]);
  });

  // Someone pushes to the branch, or deletes it, between the bot's read and its delete: a git that runs `race`
  // (a script) just before the push, once.
  const racing = (race: string) => {
    const bin = path.join(fixture.root, 'racing-bin');
    mkdirSync(bin, { recursive: true });
    const raceFile = path.join(bin, 'race');
    writeFileSync(raceFile, race);
    const gitBinary = path.join(bin, 'git');
    writeFileSync(
      gitBinary,
      `#!/bin/sh
for a in "$@"; do
  case "$a" in -*|*=*) continue ;; esac
  if [ "$a" = push ] && [ -f '${raceFile}' ]; then sh '${raceFile}' >&2; rm -f '${raceFile}'; fi
  break
done
exec '${fixture.gitBinary}' "$@"
`,
    );
    chmodSync(gitBinary, 0o755);
    return createGitRepositories({
      dataDir: fixture.dataDir,
      logger: silentLogger,
      lock: noRepositoryLock,
      env: { PATH: process.env.PATH, HOME: fixture.root },
      gitBinary,
    }).open(fixture.remote);
  };

  test('a branch pushed to meanwhile is moved (and left); one deleted meanwhile is absent', async () => {
    const train = fixture.remoteGit('rev-parse', 'train-1');
    const [, fix] = history.fixes;
    fixture.git('push', '--quiet', 'origin', `${train}:refs/heads/dot/train-1.3`);
    const pushed = racing(`git --git-dir='${fixture.remote}' update-ref refs/heads/dot/train-1.3 ${fix}\n`);
    expect(await pushed.deleteWorkBranch({ workBranch: 'dot/train-1.3' })).toEqual({ kind: 'moved', head: fix });
    expect(fixture.remoteGit('rev-parse', 'dot/train-1.3')).toBe(fix);

    const deleted = racing(`git --git-dir='${fixture.remote}' update-ref -d refs/heads/dot/train-1.3\n`);
    expect(await deleted.deleteWorkBranch({ workBranch: 'dot/train-1.3' })).toEqual({ kind: 'absent' });
    expect(fixture.remoteGit('for-each-ref', '--format=%(refname)', 'refs/heads/dot/')).toBe('');
  });
});

describe('the one push refuses a delete of anything but a hand-off branch, leased', () => {
  test('a delete of main, of a tag, or of a hand-off branch without its lease is refused; a leased one passes', () => {
    expect(() => checkPushRefspecs({ refspecs: [':refs/heads/main'] })).toThrow('refusing delete refspec :refs/heads/main');
    expect(() => checkPushRefspecs({ refspecs: [':refs/heads/main'], lease: { ref: 'refs/heads/main' } })).toThrow('refusing delete');
    expect(() => checkPushRefspecs({ refspecs: [':refs/tags/v1.302.1'], lease: { ref: 'refs/tags/v1.302.1' } })).toThrow('refusing delete');
    expect(() => checkPushRefspecs({ refspecs: [':refs/heads/dot/train-1.1'] })).toThrow('refusing delete');
    expect(() => checkPushRefspecs({ refspecs: [':refs/heads/dot/train-1.1'], lease: { ref: 'refs/heads/dot/train-1.2' } })).toThrow(
      'refusing delete',
    );
    expect(() => checkPushRefspecs({ refspecs: [':refs/heads/dot/train-1.1'], lease: { ref: 'refs/heads/dot/train-1.1' } })).not.toThrow();
    expect(() => checkPushRefspecs({ refspecs: ['abc:refs/heads/train-1'] })).not.toThrow();
  });
});
