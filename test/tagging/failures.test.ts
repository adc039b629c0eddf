/**
 * When things fail after the dispatch: a failed run (log link, Retry only
 * then, once), a run that never appears (reported once; a retry first looks
 * for a late run), CI failing on the tag (failing jobs with links, "File an
 * issue" after a confirmation, "Known flaky"), and the image workflow.
 */
import { startFakeEnvironments, type FakeEnvironments } from '../fakes/version-server';
import { finishTagRun, IMAGE_WORKFLOW, runsOf, setCi, succeedTagRun, TAG_WORKFLOW } from '../fakes/tag-release-workflow';
import {
  ADMIN,
  ALICE,
  arrangeTeam,
  buttonValue,
  CAROL,
  cutOf,
  cutTrain,
  lastTs,
  press,
  settle,
  SETTINGS,
  textOf,
  repliesNow,
  tick,
  startCut,
  startTaggingHarness,
} from './helpers';

describe('failures after the dispatch', () => {
  let stage: FakeEnvironments;
  beforeAll(async () => {
    stage = await startFakeEnvironments({ stage: '1.302.0', production: '1.301.4' });
  });
  afterAll(async () => {
    await stage.close();
  });

  test('a failed run is reported with its log link; Retry is offered then, only to the owner, and dispatches once', async () => {
    const h = await startTaggingHarness();
    try {
      const { mark, run } = await startCut(h);
      // Before the failure is confirmed, nothing offers a retry.
      expect((await repliesNow(h, mark)).some((m) => buttonValue(m, 'tag_retry') !== undefined)).toBe(false);
      finishTagRun(h.github, run, 'failure');
      await tick(h);
      await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'run_failed', runConclusion: 'failure' });
      const failed = (await repliesNow(h, mark)).find((m) => m.text.includes('tagging run for train 303 ended with failure'));
      if (!failed) throw new Error('no failure message');
      expect(failed.text).toContain(`<https://github.com/mozilla/fxa/actions/runs/${run.id}|the run and its logs>`);
      const retry = buttonValue(failed, 'tag_retry');
      expect(retry).toBeDefined();

      const refused = await press(h, CAROL, 'tag_retry', retry, failed);
      expect(String(refused.text)).toContain(
        'Only the release owner of train 303 (<@U0ALICE01>) or an admin can retry the cut of train 303.',
      );
      const [first, second] = await Promise.all([press(h, ALICE, 'tag_retry', retry, failed), press(h, ADMIN, 'tag_retry', retry, failed)]);
      await settle(h);
      const texts = [String(first.text), String(second.text)];
      expect(texts.filter((t) => t.includes('Dispatched `tag-release.yml` for train 303'))).toHaveLength(1);
      expect(texts.filter((t) => /out of date|at the same moment/.test(t))).toHaveLength(1);
      expect(h.github.workflowDispatches).toHaveLength(2);
      expect(await cutOf(h)).toMatchObject({ state: 'dispatched', attempt: 2, runId: null });
      expect((await repliesNow(h, mark)).filter((m) => m.text.includes('is cutting train 303 (attempt 2)'))).toHaveLength(1);
      // An old Retry after the new dispatch is refused.
      const stale = await press(h, ALICE, 'tag_retry', retry, failed);
      expect(String(stale.text)).toContain('That retry button is out of date');
      expect(h.github.workflowDispatches).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  test('a run that never appears is reported once; a retry that finds a late run follows it instead of dispatching', async () => {
    const h = await startTaggingHarness();
    try {
      await arrangeTeam(h);
      const workflow = h.github.findWorkflow(TAG_WORKFLOW);
      if (!workflow) throw new Error('no workflow');
      workflow.createRunOnDispatch = false;
      const mark = lastTs(h);
      await cutTrain(h);
      for (let i = 0; i < 12; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'run_missing' });
      for (let i = 0; i < 4; i++) await tick(h, 5);
      const missing = (await repliesNow(h, mark)).filter((m) => m.text.includes('No run of tag-release.yml appeared'));
      expect(missing).toHaveLength(1);
      // GitHub was slow: the run exists now.
      const late = h.github.addWorkflowRun(TAG_WORKFLOW, {
        headBranch: 'main',
        event: 'workflow_dispatch',
        status: 'in_progress',
        createdAt: new Date(h.clock.now().getTime() - 20 * 60_000).toISOString(),
      });
      const reply = await press(h, ALICE, 'tag_retry', buttonValue(missing[0] ?? {}, 'tag_retry'), missing[0]);
      expect(String(reply.text)).toContain('A run did start after all');
      expect(h.github.workflowDispatches).toHaveLength(1);
      expect(await cutOf(h)).toMatchObject({ state: 'dispatched', runId: BigInt(late.id), attempt: 1 });
    } finally {
      await h.close();
    }
  });

  test('CI failing on the tag lists the failing jobs; File an issue (after a preview) files one issue; Known flaky is recorded once', async () => {
    const h = await startTaggingHarness();
    try {
      const { mark, run } = await startCut(h);
      const cut = succeedTagRun(h.github, run);
      h.github.setCommitStatus(cut.sha, {
        context: 'ci/circleci: unit-test',
        state: 'success',
        targetUrl: 'https://circleci.com/gh/mozilla/fxa/1',
      });
      h.github.setCommitStatus(cut.sha, {
        context: 'ci/circleci: functional-tests <playwright>',
        state: 'failure',
        targetUrl: 'https://circleci.com/gh/mozilla/fxa/2',
      });
      setCi(h.github, cut.sha, 'completed', 'failure');
      await tick(h);
      await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'ci_failed', ciConclusion: 'failure' });
      const failure = (await repliesNow(h, mark)).find((m) => m.text.includes('CI failed on v1.303.0'));
      if (!failure) throw new Error('no failure message');
      expect(failure.text).toContain('• <https://circleci.com/gh/mozilla/fxa/2|ci/circleci: functional-tests &lt;playwright&gt;>');
      expect(failure.text).not.toContain('unit-test');
      const value = buttonValue(failure, 'tag_file_issue');

      const denied = await press(h, CAROL, 'tag_file_issue', value, failure);
      expect(String(denied.text)).toContain('Only the release owner of train 303');
      const preview = await press(h, ALICE, 'tag_file_issue', value, failure);
      expect(textOf(preview)).toContain('File this issue on GitHub?');
      expect(textOf(preview)).toContain('CI failed on v1.303.0 (train 303): ci/circleci: functional-tests &lt;playwright&gt;');
      expect(h.github.issues).toHaveLength(0);
      const fileIt = buttonValue(preview, 'tag_file_issue_confirm');
      const [a, b] = await Promise.all([
        press(h, ALICE, 'tag_file_issue_confirm', fileIt),
        press(h, ALICE, 'tag_file_issue_confirm', fileIt),
      ]);
      await settle(h);
      expect(h.github.issues).toHaveLength(1);
      const issue = h.github.issues[0];
      expect(issue?.title).toBe('CI failed on v1.303.0 (train 303): ci/circleci: functional-tests <playwright>');
      expect(issue?.body).toContain('- [ci/circleci: functional-tests <playwright>](https://circleci.com/gh/mozilla/fxa/2)');
      expect(issue?.body).toContain(`- Tag: [v1.303.0](https://github.com/mozilla/fxa/releases/tag/v1.303.0) at ${cut.sha}`);
      expect(issue?.body).toContain('- CI: https://app.circleci.com/pipelines/github/mozilla/fxa/4242');
      const texts = [String(a.text), String(b.text)];
      expect(
        texts.filter((t) => t.includes(`Filed <https://github.com/mozilla/fxa/issues/${issue?.number}|issue #${issue?.number}>`)),
      ).toHaveLength(1);
      expect(texts.filter((t) => /already filed|filing an issue about this failure right now/.test(t))).toHaveLength(1);
      // Asking again shows who filed it instead of a second preview.
      const again = await press(h, ALICE, 'tag_file_issue', value, failure);
      expect(String(again.text)).toContain(
        `<@U0ALICE01> already filed <https://github.com/mozilla/fxa/issues/${issue?.number}|issue #${issue?.number}>`,
      );

      // An issue is filed: the same failure is not also "known flaky" (issue 15 item 9).
      const flaky = await press(h, ALICE, 'tag_known_flaky', value, failure);
      expect(String(flaky.text)).toContain(
        `<@U0ALICE01> already filed <https://github.com/mozilla/fxa/issues/${issue?.number}|issue #${issue?.number}> about this failure, so it is not recorded as known flaky: one failure gets one answer.`,
      );
      expect(await cutOf(h)).toMatchObject({ flakyBy: null, issueBy: ALICE, issueNumber: issue?.number });
      const replies = (await repliesNow(h, mark)).map((m) => m.text);
      expect(replies.filter((t) => t.includes('filed <https://github.com/mozilla/fxa/issues/'))).toHaveLength(1);
      expect(replies.find((t) => t.includes('filed <https://github.com/mozilla/fxa/issues/'))).toMatch(/^:memo: alice filed /);
      expect(replies.filter((t) => t.includes('recorded the CI failure as known flaky'))).toHaveLength(0);
      const audit = await h.bot.database.prisma.auditEvent.findMany({ where: { action: { in: ['tag.ci-issue', 'tag.ci-flaky'] } } });
      expect(audit.map((e) => [e.actor, e.action]).sort()).toEqual([[ALICE, 'tag.ci-issue']]);
    } finally {
      await h.close();
    }
  });

  test('with the image workflow configured: CI passed → docker.yml dispatched once with git_tag → images built → on stage', async () => {
    stage.set('stage', '1.302.0');
    const h = await startTaggingHarness({
      settings: { ...SETTINGS, dispatchImageWorkflow: true, stageVersionUrl: stage.stageUrl, productionVersionUrl: stage.productionUrl },
    });
    try {
      const { mark, run } = await startCut(h);
      const cut = succeedTagRun(h.github, run);
      setCi(h.github, cut.sha, 'completed', 'success');
      await tick(h);
      await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'image_dispatched' });
      expect(h.github.workflowDispatches.map((d) => [d.workflow, d.ref, d.inputs])).toEqual([
        [TAG_WORKFLOW, 'main', {}],
        [IMAGE_WORKFLOW, 'main', { git_tag: 'v1.303.0' }],
      ]);
      const [image] = runsOf(h.github, IMAGE_WORKFLOW);
      if (!image) throw new Error('no image run');
      h.github.updateWorkflowRun(image.id, { status: 'completed', conclusion: 'success' });
      for (let i = 0; i < 3; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'image_built', imageRunId: BigInt(image.id) });
      stage.set('stage', 'v1.303.0');
      for (let i = 0; i < 3; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'on_stage' });
      expect((await repliesNow(h, mark)).map((m) => m.text.split(':')[1])).toEqual([
        'label',
        'label',
        'white_check_mark',
        'whale',
        'whale',
        'rocket',
        'checkered_flag',
      ]);
      expect(h.github.workflowDispatches).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});
