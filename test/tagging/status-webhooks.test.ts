/**
 * Issue 12.5: CI reported only through commit statuses (`ci/circleci: …`,
 * no check run) is concluded from the `status` webhook at once, without
 * waiting for the 15-minute safety-net poll.
 */
import { parseWebhookEvent } from '../../src/github/webhooks';
import type { FakeGitHub } from '../fakes/github-server';
import { sendWebhook, statusPayload, workflowRunPayload } from '../fakes/github-webhooks';
import { succeedTagRun, theTagRun } from '../fakes/tag-release-workflow';
import { startHarness, type Harness } from '../support/harness';
import { AFTER_CUTOFF, arrangeTeam, cutOf, cutTrain, lastTs, repliesNow, settle, SETTINGS } from './helpers';

const SECRET = 'webhook-secret-of-the-tests-0123';

function statusOf(github: FakeGitHub, sha: string, context: string) {
  const found = github.commitStatuses.find((s) => s.sha === sha && s.context === context);
  if (!found) throw new Error(`no status ${context}`);
  return found;
}

describe('the status webhook', () => {
  test('is read as GitHub documents it; anything without sha, context or state is "other"', () => {
    const event = parseWebhookEvent('status', {
      id: 1,
      sha: 'a'.repeat(40),
      name: 'mozilla/fxa',
      target_url: 'https://circleci.com/gh/mozilla/fxa/1',
      context: 'ci/circleci: unit-test',
      description: 'Your tests passed on CircleCI!',
      state: 'success',
      repository: { full_name: 'mozilla/fxa' },
    });
    expect(event).toEqual({
      kind: 'status',
      repository: 'mozilla/fxa',
      sha: 'a'.repeat(40),
      status: {
        context: 'ci/circleci: unit-test',
        state: 'success',
        targetUrl: 'https://circleci.com/gh/mozilla/fxa/1',
        description: 'Your tests passed on CircleCI!',
      },
    });
    expect(parseWebhookEvent('status', { sha: 'a'.repeat(40), state: 'success' })).toEqual({ kind: 'other', name: 'status' });
  });

  test('CI told only by CircleCI statuses: concluded from the webhook without a poll, pending jobs asking nothing of GitHub', async () => {
    const h: Harness = await startHarness({ settings: SETTINGS, now: AFTER_CUTOFF, env: { GITHUB_WEBHOOK_SECRET: SECRET } });
    try {
      await arrangeTeam(h);
      const url = `${h.bot.url}/github/webhooks`;
      const deliver = async (event: string, payload: unknown) => {
        expect(await sendWebhook({ url, secret: SECRET, event, payload })).toBe(202);
        await settle(h);
      };
      const mark = lastTs(h);
      await cutTrain(h);
      const run = theTagRun(h.github);
      const cut = succeedTagRun(h.github, run);
      await deliver('workflow_run', workflowRunPayload(h.github, run, 'completed'));
      expect(await cutOf(h)).toMatchObject({ state: 'tagged', tagSha: cut.sha });

      const unit = 'ci/circleci: unit-test';
      const functional = 'ci/circleci: functional-tests';
      h.github.setCommitStatus(cut.sha, { context: unit, state: 'pending', targetUrl: 'https://circleci.com/gh/mozilla/fxa/1' });
      h.github.setCommitStatus(cut.sha, { context: functional, state: 'pending', targetUrl: 'https://circleci.com/gh/mozilla/fxa/2' });
      const before = h.github.requests.length;
      await deliver('status', statusPayload(h.github, statusOf(h.github, cut.sha, unit)));
      // Another repository's status, and another context: ignored.
      await deliver('status', { ...statusPayload(h.github, statusOf(h.github, cut.sha, unit)), repository: { full_name: 'someone/else' } });
      h.github.setCommitStatus(cut.sha, { context: 'netlify/preview', state: 'success' });
      await deliver('status', statusPayload(h.github, statusOf(h.github, cut.sha, 'netlify/preview')));
      expect(h.github.requests.length).toBe(before);

      h.github.setCommitStatus(cut.sha, { context: unit, state: 'success', targetUrl: 'https://circleci.com/gh/mozilla/fxa/1' });
      await deliver('status', statusPayload(h.github, statusOf(h.github, cut.sha, unit)));
      expect(await cutOf(h)).toMatchObject({ state: 'tagged' });
      h.github.setCommitStatus(cut.sha, { context: functional, state: 'success', targetUrl: 'https://circleci.com/gh/mozilla/fxa/2' });
      await deliver('status', statusPayload(h.github, statusOf(h.github, cut.sha, functional)));
      // No tick of the clock: the webhook itself concluded.
      expect(await cutOf(h)).toMatchObject({ state: 'ci_passed', ciConclusion: 'success' });
      const replies = (await repliesNow(h, mark)).map((m) => m.text);
      expect(replies.filter((t) => t.includes('CI passed on v1.303.0'))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
