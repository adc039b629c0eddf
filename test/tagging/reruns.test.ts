/**
 * Issue 15 item 1: a CI result is whatever GitHub says now. After CI failed on
 * the tag, a re-run (a new check run, a check suite or workflow run on the
 * tag's commit, CircleCI's statuses changing) moves the cut forward again,
 * each step reported in the thread; "Known flaky" offers Re-run where GitHub
 * can (GitHub Actions), the link and a watch where it cannot (CircleCI); the
 * dashboard and the cut's step agree; one failure gets one answer.
 */
import { startFakeEnvironments, type FakeEnvironments } from '../fakes/version-server';
import { checkRunPayload, checkSuitePayload, statusPayload, workflowRunPayload } from '../fakes/github-webhooks';
import { CI_CHECK, rerunCi, setCi, succeedTagRun, theTagRun } from '../fakes/tag-release-workflow';
import type { Harness } from '../support/harness';
import {
  ALICE,
  ask,
  buttonValue,
  CAROL,
  cutOf,
  cutTrain,
  lastTs,
  press,
  repliesNow,
  settle,
  SETTINGS,
  startCut,
  startTaggingHarness,
  startWebhookHarness,
  textOf,
  tick,
} from './helpers';

// Each test plays a cut minute by minute (many scheduler ticks): on a loaded machine that takes longer than Jest's default.
jest.setTimeout(120_000);

const status = (h: Harness) => ask(h, ALICE, 'status');

/** Train 303 cut and CI failed on its tag (polled): the thread's mark, the cut, and the failure notice. */
async function failedCut(h: Harness) {
  const { mark, run } = await startCut(h);
  const cut = succeedTagRun(h.github, run);
  setCi(h.github, cut.sha, 'completed', 'failure');
  for (let i = 0; i < 3; i++) await tick(h);
  const failure = (await repliesNow(h, mark)).find((m) => m.text.includes('CI failed on v1.303.0'));
  if (!failure) throw new Error('no failure notice');
  return { mark, cut, failure };
}

describe('CI re-runs after a failure on the tag', () => {
  let envs: FakeEnvironments;
  beforeAll(async () => {
    envs = await startFakeEnvironments({ stage: '1.302.0', production: '1.301.4' });
  });
  afterAll(async () => {
    await envs.close();
  });
  const settings = () => ({ ...SETTINGS, stageVersionUrl: envs.stageUrl, productionVersionUrl: envs.productionUrl });

  test('CircleCI (polling): Known flaky gives the link and watches; the re-run is reported, CI passes, stage, summary; status agrees', async () => {
    envs.set('stage', '1.302.0');
    const h = await startTaggingHarness({ settings: settings() });
    try {
      const { mark, cut, failure } = await failedCut(h);
      expect(await cutOf(h)).toMatchObject({ state: 'ci_failed', ciRound: 1 });
      expect(await status(h)).toContain('CI failed on `v1.303.0`');

      const flaky = await press(h, ALICE, 'tag_known_flaky', buttonValue(failure, 'tag_known_flaky'), failure);
      expect(textOf(flaky)).toContain('Recorded the CI failure on `v1.303.0` as known flaky.');
      expect(textOf(flaky)).toContain(
        'I cannot re-run this CI myself: re-run the failed jobs from <https://app.circleci.com/pipelines/github/mozilla/fxa/4242|CI>. ' +
          "I'm watching `v1.303.0` and will report the re-run in the train's thread.",
      );
      expect(buttonValue(flaky, 'tag_ci_rerun')).toBeUndefined();

      // Hours later (the failure's own watch would have slowed down), the owner re-runs the job on CircleCI.
      for (let i = 0; i < 4; i++) await tick(h, 5);
      rerunCi(h.github, cut.sha, 'in_progress');
      for (let i = 0; i < 6; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'tagged', ciRound: 2 });
      expect(await status(h)).toContain('tagged `v1.303.0`; CI running');
      rerunCi(h.github, cut.sha, 'completed', 'success');
      for (let i = 0; i < 6; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'ci_passed', ciConclusion: 'success', ciRound: 2 });
      envs.set('stage', '1.303.0');
      for (let i = 0; i < 6; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'on_stage' });

      const texts = (await repliesNow(h, mark)).map((m) => m.text);
      expect(texts.filter((t) => t.includes('CI failed on v1.303.0'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('CI is running again on v1.303.0'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('CI passed on v1.303.0') && t.includes('(after 1 re-run)'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('Train 303 is on stage'))).toHaveLength(1);
      const summary = texts.find((t) => t.includes("Train 303's cut is done"));
      // The summary reaches the channel: the owner who answered the failure is named, not pinged about her own click.
      expect(summary).toContain('CI failed once, then passed after 1 re-run (recorded as known flaky by alice)');
      expect(summary).not.toContain('<@');
      expect(summary).toContain('cutoff to stage:');
      // The dashboard's CI line and the cut's step agree: passed, on stage, no "CI failed".
      const dashboard = await status(h);
      expect(dashboard).toContain('`v1.303.0` is on stage');
      expect(dashboard).toContain('passed');
      expect(dashboard).not.toContain('CI failed');
      const audit = await h.bot.database.prisma.auditEvent.findMany({ where: { subject: 'tag:v1.303.0' }, orderBy: { id: 'asc' } });
      expect(audit.map((a) => a.action)).toEqual(
        expect.arrayContaining(['tag.ci-failed', 'tag.ci-flaky', 'tag.ci-rerun', 'tag.ci-passed']),
      );
    } finally {
      await h.close();
    }
  });

  test('a re-run that fails again is a new failure with its own notice and its own answer; the old one is not reported twice', async () => {
    const h = await startTaggingHarness({ settings: settings() });
    try {
      const { mark, cut } = await failedCut(h);
      // The poll sees the same failed check again and again: nothing new.
      for (let i = 0; i < 3; i++) await tick(h, 5);
      expect((await repliesNow(h, mark)).filter((m) => m.text.includes('CI failed on v1.303.0'))).toHaveLength(1);
      // Re-run, unseen while running, fails again.
      rerunCi(h.github, cut.sha, 'completed', 'failure');
      for (let i = 0; i < 3; i++) await tick(h, 5);
      expect(await cutOf(h)).toMatchObject({ state: 'ci_failed', ciRound: 2 });
      const failures = (await repliesNow(h, mark)).filter((m) => m.text.includes('CI failed on v1.303.0'));
      expect(failures).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  test('one failure, one answer: after Known flaky, File an issue is refused with a clear message (and nothing is filed)', async () => {
    const h = await startTaggingHarness({ settings: settings() });
    try {
      const { failure } = await failedCut(h);
      const value = buttonValue(failure, 'tag_known_flaky');
      // The preview was opened before the failure was marked flaky: its File it is refused too.
      const preview = await press(h, ALICE, 'tag_file_issue', value, failure);
      await press(h, ALICE, 'tag_known_flaky', value, failure);
      const refused = await press(h, ALICE, 'tag_file_issue', value, failure);
      const message =
        '<@U0ALICE01> already recorded this failure as known flaky, so no issue is filed: one failure gets one answer. ' +
        'If it is not flaky after all, file the issue on GitHub by hand.';
      expect(String(refused.text)).toContain(message);
      const fileIt = await press(h, ALICE, 'tag_file_issue_confirm', buttonValue(preview, 'tag_file_issue_confirm'));
      expect(String(fileIt.text)).toContain(message);
      expect(h.github.issues).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  test('GitHub Actions (webhooks): Known flaky offers Re-run, which re-runs the failed jobs once; check_suite, workflow_run and check_run carry it to stage', async () => {
    envs.set('stage', '1.302.0');
    const { h, deliver } = await startWebhookHarness(settings());
    try {
      const mark = lastTs(h);
      await cutTrain(h);
      const run = theTagRun(h.github);
      const cut = succeedTagRun(h.github, run);
      await deliver('workflow_run', workflowRunPayload(h.github, run, 'completed'));
      expect(await cutOf(h)).toMatchObject({ state: 'tagged' });

      // CI is a GitHub Actions workflow on the tag; its job is the CI check.
      h.github.addWorkflow('ci.yml', { name: 'CI' });
      const ci = h.github.addWorkflowRun('ci.yml', {
        headSha: cut.sha,
        headBranch: null,
        event: 'push',
        status: 'completed',
        conclusion: 'failure',
      });
      const checkId = h.github.setCheckRun(cut.sha, {
        name: CI_CHECK,
        status: 'completed',
        conclusion: 'failure',
        detailsUrl: `https://github.com/mozilla/fxa/actions/runs/${ci.id}/job/77`,
        appSlug: 'github-actions',
      });
      const checkOf = (id: number) => {
        const found = h.github.checkRuns.find((r) => r.id === id);
        if (!found) throw new Error('no check run');
        return found;
      };
      await deliver('check_run', checkRunPayload(h.github, checkOf(checkId), 'completed'));
      expect(await cutOf(h)).toMatchObject({ state: 'ci_failed' });
      const failure = (await repliesNow(h, mark)).find((m) => m.text.includes('CI failed on v1.303.0'));
      if (!failure) throw new Error('no failure notice');

      const flaky = await press(h, ALICE, 'tag_known_flaky', buttonValue(failure, 'tag_known_flaky'), failure);
      expect(textOf(flaky)).toContain('GitHub can re-run the failed jobs');
      const rerun = buttonValue(flaky, 'tag_ci_rerun');
      expect(rerun).toBeDefined();
      const denied = await press(h, CAROL, 'tag_ci_rerun', rerun);
      expect(String(denied.text)).toContain('Only the release owner of train 303');
      const [first, second] = await Promise.all([press(h, ALICE, 'tag_ci_rerun', rerun), press(h, ALICE, 'tag_ci_rerun', rerun)]);
      await settle(h);
      const answers = [String(first.text), String(second.text)];
      expect(answers.filter((t) => t.includes('GitHub is re-running the failed jobs of `v1.303.0`'))).toHaveLength(1);
      expect(answers.filter((t) => t.includes('already asked for a re-run of this failure'))).toHaveLength(1);
      expect(h.github.reruns).toEqual([{ runId: ci.id, attempt: 2 }]);

      // GitHub re-runs: the suite is requested again, the run goes, a new check run starts, then passes.
      await deliver(
        'check_suite',
        checkSuitePayload(
          h.github,
          { id: 1, headSha: cut.sha, status: 'queued', conclusion: null, appSlug: 'github-actions' },
          'rerequested',
        ),
      );
      const again = rerunCi(h.github, cut.sha, 'in_progress');
      h.github.updateWorkflowRun(ci.id, { status: 'in_progress' });
      await deliver('workflow_run', workflowRunPayload(h.github, h.github.workflowRuns.get(ci.id) ?? ci, 'in_progress'));
      expect(await cutOf(h)).toMatchObject({ state: 'tagged', ciRound: 2 });
      // A late delivery about the old, failed check changes nothing.
      await deliver(
        'check_run',
        checkRunPayload(h.github, { ...checkOf(again), id: checkId, status: 'completed', conclusion: 'failure' }, 'completed'),
      );
      expect(await cutOf(h)).toMatchObject({ state: 'tagged' });
      rerunCi(h.github, cut.sha, 'completed', 'success');
      const passed = h.github.checkRuns.find((r) => r.headSha === cut.sha && r.name === CI_CHECK);
      if (!passed) throw new Error('no check run');
      await deliver('check_run', checkRunPayload(h.github, passed, 'completed'));
      expect(await cutOf(h)).toMatchObject({ state: 'ci_passed' });
      envs.set('stage', '1.303.0');
      for (let i = 0; i < 3; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'on_stage' });
      const texts = (await repliesNow(h, mark)).map((m) => m.text);
      expect(texts.filter((t) => t.includes('asked GitHub to re-run the failed jobs of v1.303.0'))).toHaveLength(1);
      // The owner's own clicks are told by name in the thread, not as mentions of her.
      expect(texts.find((t) => t.includes('asked GitHub to re-run'))).toMatch(/^:repeat: alice asked GitHub/);
      expect(texts.filter((t) => t.includes('CI is running again on v1.303.0'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('CI passed on v1.303.0'))).toHaveLength(1);
      expect(texts.find((t) => t.includes("Train 303's cut is done"))).toContain('re-run by alice');
      expect(texts.find((t) => t.includes("Train 303's cut is done"))).not.toContain('<@');
    } finally {
      await h.close();
    }
  });

  test('GitHub refusing the re-run (the run is still going) is said, and the next click may try again', async () => {
    const h = await startTaggingHarness({ settings: settings() });
    try {
      const { mark, run } = await startCut(h);
      const cut = succeedTagRun(h.github, run);
      h.github.addWorkflow('ci.yml', { name: 'CI' });
      const ci = h.github.addWorkflowRun('ci.yml', { headSha: cut.sha, headBranch: null, event: 'push', status: 'in_progress' });
      h.github.setCheckRun(cut.sha, {
        name: CI_CHECK,
        status: 'completed',
        conclusion: 'failure',
        detailsUrl: `https://github.com/mozilla/fxa/actions/runs/${ci.id}/job/78`,
      });
      for (let i = 0; i < 3; i++) await tick(h);
      const failure = (await repliesNow(h, mark)).find((m) => m.text.includes('CI failed on v1.303.0'));
      if (!failure) throw new Error('no failure notice');
      const flaky = await press(h, ALICE, 'tag_known_flaky', buttonValue(failure, 'tag_known_flaky'), failure);
      const rerun = buttonValue(flaky, 'tag_ci_rerun');
      const refused = await press(h, ALICE, 'tag_ci_rerun', rerun);
      expect(String(refused.text)).toContain('GitHub refused to re-run the failed jobs');
      expect(String(refused.text)).toContain('Nothing was re-run');
      h.github.updateWorkflowRun(ci.id, { status: 'completed', conclusion: 'failure' });
      const accepted = await press(h, ALICE, 'tag_ci_rerun', rerun);
      expect(String(accepted.text)).toContain('GitHub is re-running the failed jobs of `v1.303.0`');
      expect(h.github.reruns).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  test('CircleCI statuses only (webhooks): a job pending again after the failure is the re-run; its success passes CI', async () => {
    const { h, deliver } = await startWebhookHarness(settings());
    try {
      const mark = lastTs(h);
      await cutTrain(h);
      const run = theTagRun(h.github);
      const cut = succeedTagRun(h.github, run);
      await deliver('workflow_run', workflowRunPayload(h.github, run, 'completed'));
      const job = 'ci/circleci: functional-tests';
      const statusOf = () => {
        const found = h.github.commitStatuses.find((s) => s.sha === cut.sha && s.context === job);
        if (!found) throw new Error('no status');
        return found;
      };
      h.github.setCommitStatus(cut.sha, { context: job, state: 'failure', targetUrl: 'https://circleci.com/gh/mozilla/fxa/2' });
      await deliver('status', statusPayload(h.github, statusOf()));
      expect(await cutOf(h)).toMatchObject({ state: 'ci_failed' });
      h.github.setCommitStatus(cut.sha, { context: job, state: 'pending', targetUrl: 'https://circleci.com/gh/mozilla/fxa/3' });
      await deliver('status', statusPayload(h.github, statusOf()));
      expect(await cutOf(h)).toMatchObject({ state: 'tagged', ciRound: 2 });
      h.github.setCommitStatus(cut.sha, { context: job, state: 'success', targetUrl: 'https://circleci.com/gh/mozilla/fxa/3' });
      await deliver('status', statusPayload(h.github, statusOf()));
      expect(await cutOf(h)).toMatchObject({ state: 'ci_passed' });
      const texts = (await repliesNow(h, mark)).map((m) => m.text);
      expect(texts.filter((t) => t.includes('CI failed on v1.303.0'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('CI is running again on v1.303.0'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('CI passed on v1.303.0'))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
