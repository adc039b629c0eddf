/**
 * Issue 14 item 3, on real processes: a dot release killed (SIGKILL) in the middle never picks, pushes or tags
 * twice, and a new process resumes it from its last recorded step (the Confirm is a durable intent; the new
 * process replays it). Two kill points, each held open by a hook of the bare remote that blocks a push until the
 * test has killed the bot:
 * - after the train branch was pushed and before the push was recorded;
 * - in the middle of the picks (the second pick's push to the hand-off branch).
 */
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { createGitFixture, type GitFixture } from '../git/fixture';
import { type ProcessHarness, processHarnessForAll } from '../support/process-harness';
import { rowsIn, waitFor } from '../support/schema-sql';

/** A dot release's git steps on a loaded machine: the bound for each wait. */
const RUN_MS = 90_000;

jest.setTimeout(300_000);

const OWNER = 'U0DOTOWNER';
const REQUESTER = 'U0DOTASKER';
const TRAIN = 302;

interface Repo {
  fixture: GitFixture;
  fixes: string[];
}

function repository(): Repo {
  const f = createGitFixture();
  f.commit('Initial', { 'a.txt': 'one\n', 'b.txt': 'bee\n', 'c.txt': 'sea\n' });
  const cut = f.commit('feat: 302', { 'e.txt': 'e\n' });
  f.git('tag', '-a', '-m', 'Train release 302', 'v1.302.0', cut);
  f.git('branch', 'train-302', cut);
  const fixes = [
    f.commit('fix: a', { 'a.txt': 'ONE\n' }),
    f.commit('fix: b', { 'b.txt': 'BEE\n' }),
    f.commit('fix: c', { 'c.txt': 'SEA\n' }),
  ];
  f.git('push', '--quiet', 'origin', '--all');
  f.git('push', '--quiet', 'origin', '--tags');
  return { fixture: f, fixes };
}

/** A post-receive hook: the `nth` push updating `ref` writes `reached` and waits until `release` exists. */
function holdPush(fixture: GitFixture, ref: string, nth: number): { reached: string; release: string } {
  const reached = path.join(fixture.root, 'reached');
  const release = path.join(fixture.root, 'release');
  const count = path.join(fixture.root, 'count');
  const hook = path.join(fixture.remote, 'hooks', 'post-receive');
  writeFileSync(
    hook,
    `#!/bin/sh
while read old new ref; do
  if [ "$ref" = "${ref}" ]; then
    n=$(( $(cat '${count}' 2>/dev/null || echo 0) + 1 )); echo $n > '${count}'
    if [ "$n" = "${nth}" ]; then
      touch '${reached}'
      while [ ! -f '${release}' ]; do sleep 0.1; done
    fi
  fi
done
`,
  );
  chmodSync(hook, 0o755);
  return { reached, release };
}

/** The owner of train 302, and dot release 302.1 planned with the three fixes (as approvals leave it). */
async function arrangePlan(schema: string, fixes: string[]): Promise<number> {
  const now = new Date().toISOString();
  await rowsIn(
    schema,
    `INSERT INTO train_assignments (train, "slackUserId", source, "createdAt", "updatedAt") VALUES ($1, $2, 'override', $3, $3)`,
    [TRAIN, OWNER, now],
  );
  const [plan] = await rowsIn<{ id: number }>(
    schema,
    `INSERT INTO dot_releases (train, patch, tag, branch, status, "openTrain", "plannedBy", "createdAt", "updatedAt")
     VALUES ($1, 1, 'v1.302.1', 'train-302', 'planned', $1, $2, $3, $3) RETURNING id`,
    [TRAIN, OWNER, now],
  );
  const [request] = await rowsIn<{ id: number }>(
    schema,
    `INSERT INTO patch_requests (train, "requestedBy", reason, justification, "verifiedOnMain", "rawItems", status, "viewId", "trainWhere",
       "ownerAtRequest", "createdAt", "updatedAt", "decidedAt", "decidedBy", "dotReleaseId", "outcomeSentAt", "deliveredAt")
     VALUES ($1, $2, 'other', 'Users cannot sign in.', true, '', 'approved', 'V0DOT0001', 'on stage', $3, $4, $4, $4, $3, $5, $4, $4) RETURNING id`,
    [TRAIN, REQUESTER, OWNER, now, plan?.id],
  );
  for (const [position, sha] of fixes.entries()) {
    await rowsIn(
      schema,
      `INSERT INTO patch_request_commits ("requestId", train, sha, title, source, input, "mainOrder", position) VALUES ($1, $2, $3, $4, 'sha', $3, $5, $5)`,
      [request?.id, TRAIN, sha, `fix ${position}`, position],
    );
  }
  return plan?.id ?? 0;
}

/** Starts a bot, presses Confirm, waits for the hook to hold the push, SIGKILLs the bot, lets the push finish; then starts a new bot. */
async function killedAt(
  h: ProcessHarness,
  repo: Repo,
  hold: { ref: string; nth: number },
): Promise<{ planId: number; stateAtKill: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dot-kill-'));
  const config = path.join(dir, 'settings.yml');
  writeFileSync(config, stringify({ gitRemoteUrl: repo.fixture.remote, announcementChannel: 'C0FXATEAM0' }));
  h.slack.addChannel({ id: 'C0FXATEAM0', name: 'fxa-team' });
  h.slack.addUser({ id: OWNER, name: 'owner' });
  h.slack.addUser({ id: REQUESTER, name: 'requester' });
  const env = { CONDUCTOR_CONFIG: config };
  // The first process keeps its intent's lease; the second takes it over at once (the first is dead).
  const first = await h.startBot(env);
  const planId = await arrangePlan(h.schema, repo.fixes);
  const { reached, release } = holdPush(repo.fixture, hold.ref, hold.nth);
  const reply = await first.sender.sendBlockActions(
    first.sender.blockActionsPayload({
      userId: OWNER,
      actionId: 'dot_release_confirm',
      value: `${planId}:1`,
      channelId: h.slack.dmChannelFor(OWNER),
      responseUrl: h.slack.responseUrl('confirm'),
    }),
  );
  expect(reply.status).toBe(200);
  await waitFor(() => (existsSync(reached) ? true : undefined), RUN_MS);
  first.bot.child.kill('SIGKILL');
  await first.bot.exited;
  const [row] = await rowsIn<{ status: string }>(h.schema, 'SELECT status FROM dot_releases WHERE id = $1', [planId]);
  writeFileSync(release, '');
  expect(h.slack.responsesTo('confirm')).toEqual([]);
  await h.startBot({ ...env, INTENT_LEASE_SECONDS: '0' });
  return { planId, stateAtKill: row?.status ?? '' };
}

async function expectReleasedOnce(h: ProcessHarness, repo: Repo, planId: number): Promise<void> {
  const { fixture } = repo;
  const answers = await waitFor(() => {
    const got = h.slack.responsesTo('confirm');
    return got.some((r) => JSON.stringify(r.body).includes('watched')) ? got : undefined;
  }, RUN_MS);
  // One answer, from the process that finished it.
  expect(answers).toHaveLength(1);
  expect(JSON.stringify(answers[0]?.body)).toContain('released');
  // Picked once each, pushed once, tagged once.
  expect(fixture.remoteGit('log', '--format=%s', 'v1.302.0..train-302').split('\n')).toEqual(['fix: c', 'fix: b', 'fix: a']);
  expect(fixture.remoteGit('tag', '-l', 'v1.302.*')).toBe('v1.302.0\nv1.302.1');
  expect(fixture.remoteGit('rev-parse', 'v1.302.1^{commit}')).toBe(fixture.remoteGit('rev-parse', 'train-302'));
  const [row] = await rowsIn<{ status: string }>(h.schema, 'SELECT status FROM dot_releases WHERE id = $1', [planId]);
  expect(row?.status).toBe('watched');
  const watched = await rowsIn(h.schema, "SELECT tag FROM tag_releases WHERE tag = 'v1.302.1'");
  expect(watched).toHaveLength(1);
  const told = h.slack.messagesIn(h.slack.dmChannelFor(REQUESTER)).filter((m) => m.text.includes('is tagged `v1.302.1`'));
  expect(told).toHaveLength(1);
}

describe('a dot release killed after the push, before the push was recorded', () => {
  const h = processHarnessForAll('dot-kill-push');
  let repo: Repo;
  afterAll(() => repo?.fixture.cleanup());

  test('the new process finds the branch pushed already, tags once, answers once', async () => {
    repo = repository();
    const { planId, stateAtKill } = await killedAt(h, repo, { ref: 'refs/heads/train-302', nth: 1 });
    expect(stateAtKill).toBe('pushing');
    await expectReleasedOnce(h, repo, planId);
  });
});

describe('a dot release killed in the middle of the picks', () => {
  const h = processHarnessForAll('dot-kill-picks');
  let repo: Repo;
  afterAll(() => repo?.fixture.cleanup());

  test('the new process resumes from the last recorded pick, picks each commit once, pushes and tags once', async () => {
    repo = repository();
    const { planId, stateAtKill } = await killedAt(h, repo, { ref: 'refs/heads/dot/train-302.1', nth: 2 });
    expect(stateAtKill).toBe('picking');
    await expectReleasedOnce(h, repo, planId);
  });
});
