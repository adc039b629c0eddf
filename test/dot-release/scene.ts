/**
 * A dot-release scene: a real git repository (a bare remote in a temporary directory, the repository's
 * `gitRemoteUrl`) with trains 301 and 302 cut and three fixes on main after the cut, the same history
 * mirrored into the fake GitHub (so patch requests are verified as usual), the whole bot (harness), fake
 * stage (302) and production (301), and the team of the patch tests (Bob owns train 302).
 */
import { execFileSync } from 'node:child_process';
import type { GitRepositories } from '../../src/git';
import { createGitRepositories, noRepositoryLock } from '../../src/git';
import { PATCH_APPROVE_ACTION } from '../../src/patches/patch-messages';
import { DOT_RELEASE_RUN_ACTION } from '../../src/patches/patch-messages';
import type { FakeGitHub } from '../fakes/github-server';
import type { FakeSlackMessage } from '../fakes/slack-server';
import { startFakeEnvironments, type FakeEnvironments } from '../fakes/version-server';
import { createGitFixture, type GitFixture } from '../git/fixture';
import { ADMIN, ALICE, BOB, CAROL, CHANNEL, ENGINEER, NOW, OTHER, press, requestPatch, teamCopy } from '../patches/helpers';
import { startHarness, type Harness } from '../support/harness';
import { silentLogger } from '../support/database';
import { importTeam, TEAM_SETTINGS } from '../support/team';

export { ADMIN, ALICE, BOB, CAROL, CHANNEL, ENGINEER, OTHER, press } from '../patches/helpers';

export interface DotScene {
  h: Harness;
  fixture: GitFixture;
  environments: FakeEnvironments;
  /** The train-302 cut and the fixes on main after it, oldest first. */
  cut: string;
  fixes: [string, string, string];
  /** A second replica: the same database, Slack and GitHub, a git cache of its own (another pod). */
  replica(): Promise<Harness>;
  close(): Promise<void>;
}

export interface SceneOptions {
  /** train-302 has its own change of a.txt's first line: the second fix conflicts there. */
  conflictOnSecond?: boolean;
  /** Train 303 is cut too, after the first fix landed on main (so it has that one, not the other two). */
  cut303?: boolean;
  /** Wraps the git adapter (faults); `fixture` gives the fixture's failing `git` wrapper. */
  wrapGit?: (git: GitRepositories, fixture: GitFixture) => GitRepositories;
  /** Use the fixture's `git` wrapper (fixture.failNext injects failures). */
  failingGit?: boolean;
  env?: Record<string, string>;
}

/** Mirrors the fixture's history (commits, branches, tags of the remote) into the fake GitHub. */
export function mirrorToGitHub(fixture: GitFixture, github: FakeGitHub): void {
  const known = new Set<string>();
  const lines = fixture.remoteGit('rev-list', '--all', '--reverse', '--topo-order', '--parents').split('\n').filter(Boolean);
  for (const line of lines) {
    const [sha, ...parents] = line.split(' ') as [string, ...string[]];
    if (known.has(sha) || github.commits.has(sha)) continue;
    known.add(sha);
    github.addCommit({ sha, parents, message: fixture.remoteGit('log', '-1', '--format=%B', sha) });
  }
  for (const ref of fixture.remoteGit('for-each-ref', '--format=%(refname) %(objectname) %(*objectname)').split('\n').filter(Boolean)) {
    const [name = '', object = '', peeled = ''] = ref.split(' ');
    if (name.startsWith('refs/heads/')) github.setBranch(name.slice('refs/heads/'.length), object);
    else if (name.startsWith('refs/tags/') && !github.tags.has(name.slice('refs/tags/'.length))) {
      github.addTag(name.slice('refs/tags/'.length), peeled || object, { annotated: Boolean(peeled) });
    }
  }
}

export async function startDotScene(options: SceneOptions = {}): Promise<DotScene> {
  const fixture = createGitFixture();
  const f = fixture;
  const c301 = f.commit('Initial', { 'a.txt': 'one\ntwo\nthree\n', 'b.txt': 'bee\n', 'src/c.txt': 'sea\n' });
  f.git('tag', '-a', '-m', 'Train release 301', 'v1.301.0', c301);
  f.git('branch', 'train-301', c301);
  const cut = f.commit('feat: work of train 302', { 'e.txt': 'eee\n' });
  f.git('tag', '-a', '-m', 'Train release 302', 'v1.302.0', cut);
  f.git('branch', 'train-302', cut);
  const fix1 = f.commit('fix(b): buzz', { 'b.txt': 'bee buzz\n' });
  const fix2 = f.commit('fix(a): first line', { 'a.txt': 'ONE\ntwo\nthree\n' });
  const fix3 = f.commit('fix(c): salt', { 'src/c.txt': 'sea salt\n' });
  f.commit('feat: later work', { 'd.txt': 'dee\n' });
  if (options.cut303) {
    f.git('tag', '-a', '-m', 'Train release 303', 'v1.303.0', 'HEAD~3');
    f.git('branch', 'train-303', 'HEAD~3');
  }
  if (options.conflictOnSecond) {
    f.git('switch', '--quiet', 'train-302');
    f.commit('train-only: first line', { 'a.txt': 'uno\ntwo\nthree\n' });
    f.git('switch', '--quiet', 'main');
  }
  f.git('push', '--quiet', 'origin', '--all');
  f.git('push', '--quiet', 'origin', '--tags');

  const environments = await startFakeEnvironments({ stage: '1.302.0', production: '1.301.0' });
  const settings = {
    ...TEAM_SETTINGS,
    gitRemoteUrl: fixture.remote,
    stageVersionUrl: environments.stageUrl,
    productionVersionUrl: environments.productionUrl,
  };
  const h = await startHarness({
    now: NOW,
    settings,
    instanceId: 'replica-a',
    ...(options.env ? { env: options.env } : {}),
    wrapGit: (git) => {
      const base = options.failingGit
        ? createGitRepositories({
            dataDir: `${fixture.root}/failing-cache`,
            logger: silentLogger,
            gitBinary: fixture.gitBinary,
            lock: noRepositoryLock,
            env: { PATH: process.env.PATH, HOME: fixture.root },
          })
        : git;
      return options.wrapGit ? options.wrapGit(base, fixture) : base;
    },
  });
  mirrorToGitHub(fixture, h.github);
  await importTeam(h, {
    people: { [ADMIN]: 'admin', [ALICE]: 'alice', [BOB]: 'bob', [CAROL]: 'carol', [ENGINEER]: 'engineer', [OTHER]: 'other' },
    rotation: [ALICE, BOB, CAROL],
    startTrain: 301,
    actor: ADMIN,
  });
  const replicas: Harness[] = [];
  return {
    h,
    fixture,
    environments,
    cut,
    fixes: [fix1, fix2, fix3],
    async replica() {
      const second = await startHarness({
        now: NOW,
        settings,
        schema: h.schema,
        slack: h.slack,
        github: h.github,
        instanceId: 'replica-b',
      });
      replicas.push(second);
      return second;
    },
    async close() {
      for (const replica of replicas) await replica.close();
      await h.close();
      await environments.close();
      fixture.cleanup();
    },
  };
}

/** Requests `commits` for train 302 through the modal as `userId` and waits for its three posts; returns its id. */
export function requestFix(h: Harness, userId: string, commits: string[], train = '302'): Promise<number> {
  return requestPatch({ h }, userId, { train, items: commits.join('\n') });
}

/** Approves request `id` as `userId` (Bob owns train 302) and returns the reply. */
export async function approve(h: Harness, id: number, userId = BOB): Promise<string> {
  return press(h, userId, PATCH_APPROVE_ACTION, String(id), teamCopy(h, id));
}

/** The announcement of dot release `train.patch` in the team channel, as it is now. */
export function announcement(h: Harness, train: number, patch: number): FakeSlackMessage {
  const message = h.slack
    .messagesIn(CHANNEL)
    .find(
      (m) =>
        !m.thread_ts &&
        new RegExp(`(Planning train|Dot release|Forward port to train) ${train}`).test(m.text) &&
        m.text.includes(`${train}.${patch}`),
    );
  if (!message) throw new Error(`no announcement of ${train}.${patch}`);
  return message;
}

/** The value of the button `actionId` on `message`. */
export function buttonValue(message: { blocks?: unknown }, actionId: string): string {
  const blocks = Array.isArray(message.blocks)
    ? (message.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>)
    : [];
  const value = blocks.flatMap((block) => block.elements ?? []).find((element) => element.action_id === actionId)?.value;
  if (!value) throw new Error(`no ${actionId} button`);
  return value;
}

/** The ephemeral responses after index `from`, as text (blocks included). */
export function responsesSince(h: Harness, from: number): string[] {
  return h.slack.responses.slice(from).map((r) => `${String(r.body.text ?? '')}\n${JSON.stringify(r.body.blocks ?? [])}`);
}

/** Waits until a response after `from` matches `pattern`; returns its text. */
export async function waitForResponse(h: Harness, from: number, pattern: RegExp, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = responsesSince(h, from).find((text) => pattern.test(text));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no response matching ${pattern} in time; got:\n${responsesSince(h, from).join('\n---\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Presses *Run dot release* on the announcement, then *Run dot release* on the confirmation; returns the outcome's text. */
export async function runFromSlack(
  h: Harness,
  train: number,
  patch: number,
  userId = BOB,
  done = /Dot release \d+\.\d+: (watched|conflict|failed|abandoned)/,
): Promise<string> {
  const message = announcement(h, train, patch);
  const confirmation = await press(h, userId, DOT_RELEASE_RUN_ACTION, buttonValue(message, DOT_RELEASE_RUN_ACTION), message);
  expect(confirmation).toContain(`Run dot release ${train}.${patch}`);
  const shown = h.slack.responses.at(-1);
  const before = h.slack.responses.length;
  await press(
    h,
    userId,
    'dot_release_confirm',
    buttonValue(shown?.body ?? {}, 'dot_release_confirm'),
    { ...message, blocks: shown?.body.blocks as FakeSlackMessage['blocks'] },
    false,
  );
  return waitForResponse(h, before, done);
}

/** Runs git in the bare remote. */
export function remoteLog(fixture: GitFixture, range: string): string[] {
  return fixture.remoteGit('log', '--format=%s', range).split('\n').filter(Boolean);
}

export function sh(cwd: string, command: string): string {
  return execFileSync('sh', ['-c', command], { cwd, encoding: 'utf8' }).trim();
}
