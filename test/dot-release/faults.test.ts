/**
 * Issue 14's bad inputs and faults, run from Slack on real repositories: each gets a clear message, nothing is
 * half-pushed, and the plan is left where it can be resumed or abandoned.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { GitRepositories, GitRepository } from '../../src/git';
import { DOT_RELEASE_RESUME_ACTION } from '../../src/dot-release/run-view';
import type { GitFixture } from '../git/fixture';
import { dmsOf } from '../patches/helpers';
import {
  BOB,
  CHANNEL,
  ENGINEER,
  OTHER,
  approve,
  buttonValue,
  press,
  remoteLog,
  requestFix,
  runFromSlack,
  sh,
  startDotScene,
  waitForResponse,
  type DotScene,
  type SceneOptions,
} from './scene';

jest.setTimeout(240_000);

/** Wraps one method of every repository the adapter opens. */
function wrapRepository(git: GitRepositories, wrap: (repository: GitRepository) => Partial<GitRepository>): GitRepositories {
  return {
    open(remote) {
      const repository = git.open(remote);
      return Object.assign(Object.create(repository) as GitRepository, wrap(repository));
    },
  };
}

async function plannedScene(options: SceneOptions = {}): Promise<DotScene> {
  const scene = await startDotScene(options);
  await approve(scene.h, await requestFix(scene.h, ENGINEER, scene.fixes));
  return scene;
}

/** Presses Resume on the latest failure DM to Bob; returns the outcome. */
async function resume(scene: DotScene): Promise<string> {
  const { h } = scene;
  const handOff = dmsOf(h, BOB)
    .filter((m) => m.text.includes('stopped'))
    .at(-1);
  if (!handOff) throw new Error('no hand-off DM');
  const before = h.slack.responses.length;
  await press(h, BOB, DOT_RELEASE_RESUME_ACTION, buttonValue(handOff, DOT_RELEASE_RESUME_ACTION), handOff, false);
  return waitForResponse(h, before, /Dot release \d+\.\d+: (watched|conflict|failed|abandoned)/);
}

function pushFromClone(fixture: GitFixture, name: string, commands: string): void {
  const clone = path.join(fixture.root, name);
  sh(fixture.root, `git clone --quiet ${fixture.remote} ${name}`);
  sh(clone, `git config user.name Someone && git config user.email someone@example.com && ${commands}`);
}

describe('faults of a dot release run from Slack', () => {
  let scene: DotScene;
  afterEach(async () => {
    await scene?.close();
  });

  test('network failure in the middle of a fetch: said so, nothing pushed; Resume once it is back finishes it', async () => {
    scene = await plannedScene({ failingGit: true });
    const { h, fixture } = scene;
    fixture.failNext('fetch', 'error: RPC failed; curl 18 transfer closed with outstanding read data remaining\nfatal: early EOF');
    const outcome = await runFromSlack(h, 302, 1);
    expect(outcome).toContain('I could not talk to the git remote');
    expect(outcome).toContain('dot_release_resume');
    expect(remoteLog(fixture, 'v1.302.0..train-302')).toEqual([]);
    fixture.heal();
    expect(await resume(scene)).toContain('released');
    expect(remoteLog(fixture, 'v1.302.0..train-302')).toHaveLength(3);
  });

  test('a full disk: said so, nothing pushed, resumable', async () => {
    scene = await plannedScene({ failingGit: true });
    const { h, fixture } = scene;
    fixture.failNext('fetch', 'fatal: write error: No space left on device');
    const outcome = await runFromSlack(h, 302, 1);
    expect(outcome).toContain('The disk that holds my git cache is full');
    expect(remoteLog(fixture, 'v1.302.0..train-302')).toEqual([]);
    fixture.heal();
    expect(await resume(scene)).toContain('released');
  });

  test('a remote that rejects the push (protected branch): said so, no tag; Resume after it is allowed', async () => {
    scene = await plannedScene();
    const { h, fixture } = scene;
    fixture.protect('refs/heads/train-302');
    const outcome = await runFromSlack(h, 302, 1);
    expect(outcome).toMatch(/refused|rejected/i);
    expect(remoteLog(fixture, 'v1.302.0..train-302')).toEqual([]);
    expect(fixture.remoteGit('tag', '-l', 'v1.302.1')).toBe('');
    rmSync(path.join(fixture.remote, 'hooks', 'pre-receive'));
    expect(await resume(scene)).toContain('released');
    expect(remoteLog(fixture, 'v1.302.0..train-302')).toHaveLength(3);
  });

  test('the train moved on the remote during the run: fetched and redone on its new tip, never forced', async () => {
    let moved = false;
    scene = await plannedScene({
      wrapGit: (git, fixture) =>
        wrapRepository(git, (repository) => ({
          pushTrain: async (input) => {
            if (!moved) {
              moved = true;
              pushFromClone(
                fixture,
                'someone',
                `git switch -q train-302 && echo x > x.txt && git add x.txt && git commit -qm 'someone else on the train' && git push -q origin train-302`,
              );
            }
            return repository.pushTrain(input);
          },
        })),
    });
    const { h, fixture } = scene;
    const outcome = await runFromSlack(h, 302, 1);
    expect(outcome).toContain('released');
    expect(remoteLog(fixture, 'v1.302.0..train-302')).toEqual([
      'fix(c): salt',
      'fix(a): first line',
      'fix(b): buzz',
      'someone else on the train',
    ]);
  });

  test('a tag that appeared meanwhile: nothing tagged over it; Resume tags the next free number', async () => {
    let appeared = false;
    scene = await plannedScene({
      wrapGit: (git, fixture) =>
        wrapRepository(git, (repository) => ({
          tag: async (input) => {
            if (!appeared) {
              appeared = true;
              pushFromClone(fixture, 'tagger', `git tag -a -m 'by hand' v1.302.1 v1.302.0 && git push -q origin refs/tags/v1.302.1`);
            }
            return repository.tag(input);
          },
        })),
    });
    const { h, fixture } = scene;
    const outcome = await runFromSlack(h, 302, 1);
    expect(outcome).toMatch(/v1\.302\.1/);
    expect(outcome).toContain('failed');
    // The hand-made tag is untouched; the picks are pushed (a whole step), the release is not tagged yet.
    expect(fixture.remoteGit('rev-parse', 'v1.302.1^{commit}')).toBe(fixture.remoteGit('rev-parse', 'v1.302.0^{commit}'));
    expect(remoteLog(fixture, 'v1.302.0..train-302')).toHaveLength(3);
    // Meanwhile a later fix was approved: dot release 302.2 is planned.
    expect(await approve(h, await requestFix(h, OTHER, [fixture.git('rev-parse', 'main')]))).toContain('Dot release *302.2*');
    const resumed = await resume(scene);
    expect(resumed).toContain('released');
    expect(resumed).toContain('v1.302.2');
    expect(fixture.remoteGit('rev-parse', 'v1.302.2^{commit}')).toBe(fixture.remoteGit('rev-parse', 'train-302'));
    // The later plan moves up to the next free number.
    const later = await h.bot.database.prisma.dotRelease.findFirst({ where: { status: 'planned', train: 302 } });
    expect(later).toMatchObject({ patch: 3, tag: 'v1.302.3' });
  });

  test('a train with no branch on the remote: said so, nothing pushed', async () => {
    scene = await plannedScene();
    const { h, fixture } = scene;
    fixture.remoteGit('branch', '-D', 'train-302');
    const outcome = await runFromSlack(h, 302, 1);
    expect(outcome).toContain('train-302');
    expect(outcome).toContain('failed');
    expect(fixture.remoteGit('tag', '-l', 'v1.302.1')).toBe('');
    // The failure goes to Bob (who started it) and the owner by DM, and into the thread: the thread pings nobody.
    const inThread = h.slack.messagesIn(CHANNEL).filter((m) => m.thread_ts && m.thread_ts !== m.ts && m.text.includes('stopped'));
    expect(inThread).toHaveLength(1);
    expect(`${inThread[0]?.text}${JSON.stringify(inThread[0]?.blocks)}`).not.toMatch(/<@U/);
    expect(dmsOf(h, BOB).filter((m) => m.text.includes('Dot release 302.1 stopped'))).toHaveLength(1);
  });

  test('a commit already on the train is skipped and said so; the others are picked', async () => {
    scene = await plannedScene();
    const { h, fixture, fixes } = scene;
    pushFromClone(fixture, 'owner', `git switch -q train-302 && git cherry-pick -x ${fixes[0]} >/dev/null && git push -q origin train-302`);
    const outcome = await runFromSlack(h, 302, 1);
    expect(outcome).toContain('released');
    expect(outcome).toMatch(/already on `train-302` \(trailer/);
    expect(remoteLog(fixture, 'v1.302.0..train-302')).toEqual(['fix(c): salt', 'fix(a): first line', 'fix(b): buzz']);
  });

  test('a commit not on main, and an unknown SHA: each named, nothing pushed', async () => {
    scene = await plannedScene();
    const { h, fixture, fixes } = scene;
    pushFromClone(
      fixture,
      'side',
      `git switch -q -c side && echo s > s.txt && git add s.txt && git commit -qm 'side work' && git push -q origin side`,
    );
    const side = fixture.remoteGit('rev-parse', 'side');
    const unknown = 'deadbeef'.repeat(5);
    const prisma = h.bot.database.prisma;
    await prisma.patchRequestCommit.updateMany({ where: { sha: fixes[1] }, data: { sha: side } });
    await prisma.patchRequestCommit.updateMany({ where: { sha: fixes[2] }, data: { sha: unknown } });
    const outcome = await runFromSlack(h, 302, 1);
    expect(outcome).toContain('failed');
    expect(outcome).toMatch(new RegExp(`${side.slice(0, 7)}|${unknown.slice(0, 7)}`));
    expect(remoteLog(fixture, 'v1.302.0..train-302')).toEqual([]);
  });
});
