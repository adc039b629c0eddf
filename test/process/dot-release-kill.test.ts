/**
 * Issue 14 item 3, on real processes: a dot release killed (SIGKILL) in the middle never picks, pushes or tags
 * twice, and a new process resumes it from its last recorded step (the Confirm is a durable intent; the new
 * process replays it). Two kill points, each held open by a hook of the bare remote that blocks a push until the
 * test has killed the bot:
 * - after the train branch was pushed and before the push was recorded;
 * - in the middle of the picks (the second pick's push to the hand-off branch).
 */
import { writeFileSync } from 'node:fs';
import { type ProcessHarness, processHarnessForAll } from '../support/process-harness';
import { rowsIn, waitFor } from '../support/schema-sql';
import { confirmWithPushHeld, REQUESTER, type Repo, repository, RUN_MS } from './dot-release-lease-scene';

jest.setTimeout(300_000);

/** Starts a bot, presses Confirm, waits for the hook to hold the push, SIGKILLs the bot, lets the push finish; then starts a new bot. */
async function killedAt(
  h: ProcessHarness,
  repo: Repo,
  hold: { ref: string; nth: number },
): Promise<{ planId: number; stateAtKill: string }> {
  // The first process keeps its intent's lease; the second takes it over at once (the first is dead).
  const { first, planId, release, env } = await confirmWithPushHeld(h, repo, hold);
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
