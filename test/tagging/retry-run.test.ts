/**
 * Issue 13.7: a Retry follows its own run. The first run fails fast; a Retry
 * a minute later dispatches again, and the new run (which succeeds and pushes
 * `v1.303.0`) is the one followed: not the old failed run, which was created
 * within the clock-skew window before the new dispatch.
 */
import { sendWebhook, workflowRunPayload } from '../fakes/github-webhooks';
import { finishTagRun, runsOf, setCi, succeedTagRun, TAG_WORKFLOW } from '../fakes/tag-release-workflow';
import type { FakeWorkflowRun } from '../fakes/github-server';
import { startHarness, type Harness } from '../support/harness';
import {
  AFTER_CUTOFF,
  ALICE,
  arrangeTeam,
  buttonValue,
  cutOf,
  cutTrain,
  lastTs,
  press,
  repliesNow,
  settle,
  SETTINGS,
  startTaggingHarness,
  tick,
} from './helpers';

const SECRET = 'webhook-secret-of-the-tests-0123';

/** The first run fails fast; its failure is seen (by a poll, or as `report` tells); a minute later, Alice presses Retry. */
async function failFastThenRetry(h: Harness, mark: string, report: (run: FakeWorkflowRun) => Promise<void> = () => tick(h)) {
  const [first] = runsOf(h.github, TAG_WORKFLOW);
  if (!first) throw new Error('no first run');
  finishTagRun(h.github, first, 'failure');
  await report(first);
  expect(await cutOf(h)).toMatchObject({ state: 'run_failed', runId: BigInt(first.id) });
  const failed = (await repliesNow(h, mark)).find((m) => buttonValue(m, 'tag_retry') !== undefined);
  if (!failed) throw new Error('no Retry offered');
  await tick(h);
  const retried = await press(h, ALICE, 'tag_retry', buttonValue(failed, 'tag_retry'), failed);
  expect(String(retried.text)).toContain('Dispatched `tag-release.yml` for train 303');
  await settle(h);
  const second = runsOf(h.github, TAG_WORKFLOW).find((run) => run.id !== first.id);
  if (!second) throw new Error('the retry started no run');
  return { first, second, failed };
}

describe('a Retry follows its own run', () => {
  test('polling: the new run is followed, its tag and CI reported, and no second failure is posted', async () => {
    const h = await startTaggingHarness();
    try {
      await arrangeTeam(h);
      const mark = lastTs(h);
      await cutTrain(h);
      const { first, second, failed } = await failFastThenRetry(h, mark);
      const cut = succeedTagRun(h.github, second);
      setCi(h.github, cut.sha, 'completed', 'success');
      for (let i = 0; i < 4; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'ci_passed', attempt: 2, runId: BigInt(second.id), tagSha: cut.sha });
      const texts = (await repliesNow(h, mark)).map((m) => m.text);
      expect(texts.filter((t) => t.includes('ended with failure'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('Tagged v1.303.0'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('CI passed on v1.303.0'))).toHaveLength(1);
      expect(first.id).not.toBe(second.id);
      // The old Retry is out of date, not "cut already".
      const stale = await press(h, ALICE, 'tag_retry', buttonValue(failed, 'tag_retry'), failed);
      expect(String(stale.text)).toContain('That retry button is out of date');
      expect(h.github.workflowDispatches).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  test("webhooks: a late delivery about the old failed run is not taken for the retry's run", async () => {
    const h = await startHarness({ settings: SETTINGS, now: AFTER_CUTOFF, env: { GITHUB_WEBHOOK_SECRET: SECRET } });
    try {
      await arrangeTeam(h);
      const mark = lastTs(h);
      await cutTrain(h);
      const url = `${h.bot.url}/github/webhooks`;
      const deliver = async (run: FakeWorkflowRun) => {
        expect(
          await sendWebhook({ url, secret: SECRET, event: 'workflow_run', payload: workflowRunPayload(h.github, run, 'completed') }),
        ).toBe(202);
        await settle(h);
      };
      const { first, second } = await failFastThenRetry(h, mark, deliver);
      // GitHub delivers the old run's completion late (or again, as a new delivery).
      await deliver(first);
      expect(await cutOf(h)).toMatchObject({ state: 'dispatched', attempt: 2, runId: null });
      succeedTagRun(h.github, second);
      await deliver(second);
      expect(await cutOf(h)).toMatchObject({ state: 'tagged', attempt: 2, runId: BigInt(second.id) });
      const texts = (await repliesNow(h, mark)).map((m) => m.text);
      expect(texts.filter((t) => t.includes('ended with failure'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('Tagged v1.303.0'))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
