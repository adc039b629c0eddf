/**
 * The watcher, end to end with polling: from the dispatch through the run, the
 * tag, CI and stage, one message per step in the train's thread; a restart
 * resumes where it was; GitHub failing mid-watch and CI never finishing are
 * survived and reported once.
 */
import { startFakeEnvironments, type FakeEnvironments } from '../fakes/version-server';
import { setCi, succeedTagRun, theTagRun } from '../fakes/tag-release-workflow';
import { watchPushedTag } from '../../src/tagging/watch-pushed-tag';
import { startHarness, type Harness } from '../support/harness';
import {
  ALICE,
  arrangeTeam,
  ask,
  cutOf,
  cutTrain,
  lastTs,
  SETTINGS,
  settle,
  repliesNow,
  tick,
  startCut,
  startTaggingHarness,
} from './helpers';

// Each test plays a cut minute by minute (many scheduler ticks): on a loaded machine that takes longer than Jest's default.
jest.setTimeout(120_000);

describe('watching a cut through CI to stage (polling)', () => {
  let stage: FakeEnvironments;
  beforeAll(async () => {
    stage = await startFakeEnvironments({ stage: '1.302.0', production: '1.301.4' });
  });
  afterAll(async () => {
    await stage.close();
  });

  const settings = () => ({
    ...SETTINGS,
    stageVersionUrl: stage.stageUrl,
    productionVersionUrl: stage.productionUrl,
    tagWatch: { ciMinutes: 30, stageMinutes: 20, giveUpHours: 2 },
  });

  const status = (h: Harness) => ask(h, ALICE, 'status');

  test('dispatch → run → tag → CI passed → on stage: each step posted once, in one thread, and shown by /release status', async () => {
    stage.set('stage', '1.302.0');
    const h = await startTaggingHarness({ settings: settings() });
    try {
      const { mark, run } = await startCut(h);
      h.github.updateWorkflowRun(run.id, { status: 'in_progress' });
      await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'dispatched', runId: BigInt(run.id), runStatus: 'in_progress' });
      expect(await status(h)).toContain('tagging workflow running for `v1.303.0`');

      const cut = succeedTagRun(h.github, run);
      setCi(h.github, cut.sha, 'queued');
      for (let i = 0; i < 3; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'tagged', tagSha: cut.sha });
      setCi(h.github, cut.sha, 'in_progress');
      for (let i = 0; i < 5; i++) await tick(h);
      expect(await status(h)).toContain('tagged `v1.303.0`; CI running');
      setCi(h.github, cut.sha, 'completed', 'success');
      for (let i = 0; i < 6; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'ci_passed', ciConclusion: 'success' });
      // Stage still runs the previous train for a while, then the new tag (without its "v").
      for (let i = 0; i < 3; i++) await tick(h);
      stage.set('stage', '1.303.0');
      for (let i = 0; i < 6; i++) await tick(h);
      // On stage, the watch goes on for production (production still runs 1.301.4).
      expect(await cutOf(h)).toMatchObject({ state: 'on_stage', stageVersion: '1.303.0', productionVersion: null });
      for (let i = 0; i < 3; i++) await tick(h, 10);

      const replies = await repliesNow(h, mark);
      expect(new Set(replies.map((m) => m.thread_ts)).size).toBe(1);
      expect(replies.map((m) => m.text.split(':')[1])).toEqual(['label', 'label', 'white_check_mark', 'rocket', 'checkered_flag']);
      expect(replies[1]?.text).toContain(
        `Tagged v1.303.0 (branch train-303) at <https://github.com/mozilla/fxa/commit/${cut.sha}|${cut.sha.slice(0, 7)}>. Watching CI (test_and_deploy_tag).`,
      );
      expect(replies[2]?.text).toContain(
        'CI passed on v1.303.0 (<https://app.circleci.com/pipelines/github/mozilla/fxa/4242|CI>). Waiting for it to reach stage.',
      );
      expect(replies[3]?.text).toContain('Train 303 is on stage (stage reports 1.303.0 for v1.303.0)');
      expect(await status(h)).toContain('`v1.303.0` is on stage');
      // The bot dispatched once, and polled with backoff: far fewer requests than ticks.
      expect(h.github.workflowDispatches).toHaveLength(1);
      const audit = await h.bot.database.prisma.auditEvent.findMany({ where: { subject: 'tag:v1.303.0' }, orderBy: { id: 'asc' } });
      expect(audit.map((a) => a.action)).toEqual([
        'tag.request',
        'tag.dispatch',
        'tag.run-succeeded',
        'tag.tagged',
        'tag.ci-passed',
        'tag.on-stage',
      ]);
    } finally {
      await h.close();
    }
  });

  test('GitHub answering 5xx mid-watch is survived quietly; CI that never finishes is reported once, then the watch gives up once', async () => {
    const h = await startTaggingHarness({ settings: settings() });
    try {
      const { mark, run } = await startCut(h);
      const cut = succeedTagRun(h.github, run);
      setCi(h.github, cut.sha, 'in_progress');
      await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'tagged' });
      // GitHub fails every request for a while (each 502 is retried once by the client, then given up).
      h.github.injectFault({ status: 502 }, { times: 8 });
      for (let i = 0; i < 4; i++) await tick(h, 2);
      const during = await cutOf(h);
      expect(during).toMatchObject({ state: 'tagged' });
      expect(during?.lastError).toMatch(/GitHub HTTP 502/);
      expect((await repliesNow(h, mark)).map((m) => m.text)).toEqual([
        expect.stringContaining('is cutting train 303'),
        expect.stringContaining('Tagged v1.303.0'),
      ]);
      h.github.clearFaults();
      // 30 minutes in "tagged": late, reported once, with the CI link.
      for (let i = 0; i < 8; i++) await tick(h, 5);
      const late = (await repliesNow(h, mark)).filter((m) => m.text.includes('has not finished'));
      expect(late.map((m) => m.text)).toEqual([
        expect.stringMatching(
          /CI on v1\.303\.0 has not finished after 3\d minutes \(<https:\/\/app\.circleci\.com\/pipelines\/github\/mozilla\/fxa\/4242\|CI>\)/,
        ),
      ]);
      // Two hours in "tagged": the watch stops, once.
      for (let i = 0; i < 12; i++) await tick(h, 10);
      expect(await cutOf(h)).toMatchObject({ state: 'ci_timeout', nextCheckAt: null });
      const replies = (await repliesNow(h, mark)).map((m) => m.text);
      expect(replies.filter((t) => t.includes('has not finished'))).toHaveLength(1);
      expect(replies.filter((t) => t.includes('Stopped watching after 2 hours: tagged v1.303.0; CI running.'))).toHaveLength(1);
      expect(replies).toHaveLength(4);
    } finally {
      await h.close();
    }
  });

  test('a restart between the dispatch and its result resumes watching from the database', async () => {
    const first = await startTaggingHarness({ settings: settings() });
    const { schema, slack, github } = first;
    try {
      await arrangeTeam(first);
      const mark = lastTs(first);
      await cutTrain(first);
      await settle(first);
      expect(await cutOf(first)).toMatchObject({ state: 'dispatched', runId: null });
      await first.bot.stop();

      const run = theTagRun(github);
      const cut = succeedTagRun(github, run);
      setCi(github, cut.sha, 'completed', 'success');
      const second = await startHarness({
        settings: settings(),
        schema,
        slack,
        github,
        now: new Date(first.clock.now().getTime() + 5 * 60_000).toISOString(),
      });
      try {
        await tick(second);
        await tick(second);
        expect(await cutOf(second)).toMatchObject({ state: 'ci_passed', runId: BigInt(run.id), tagSha: cut.sha });
        expect((await repliesNow(second, mark)).map((m) => m.text.split(':')[1])).toEqual(['label', 'label', 'white_check_mark']);
        expect(github.workflowDispatches).toHaveLength(1);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  });

  test('a replica that died between taking the guard and dispatching: the watcher never dispatches, looks for a run, reports none once', async () => {
    const h = await startTaggingHarness({ settings: settings() });
    try {
      const mainHead = await arrangeTeam(h);
      const mark = lastTs(h);
      const now = h.clock.now();
      // What the dead replica left: the guard, and nothing else.
      await h.bot.database.prisma.tagRelease.create({
        data: {
          train: 303,
          patch: 0,
          tag: 'v1.303.0',
          kind: 'train',
          state: 'requested',
          requestedBy: ALICE,
          requestedAt: now,
          sourceSha: mainHead,
          stateSince: now,
          nextCheckAt: new Date(now.getTime() + 3 * 60_000),
          createdAt: now,
          updatedAt: now,
        },
      });
      for (let i = 0; i < 4; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'dispatched', dispatchUncertain: true });
      for (let i = 0; i < 15; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'run_missing', nextCheckAt: null });
      for (let i = 0; i < 5; i++) await tick(h, 5);
      const replies = (await repliesNow(h, mark)).map((m) => m.text);
      expect(replies).toEqual([
        expect.stringContaining(
          'GitHub did not confirm the dispatch clearly; I am checking whether a run started, and will not dispatch again by myself.',
        ),
        expect.stringContaining('No run of tag-release.yml appeared within 10 minutes of the dispatch for train 303.'),
      ]);
      // Her own click, told by name as the watcher takes it up: not a mention of her in her thread.
      expect(replies[0]).toMatch(/^:label: alice is cutting train 303/);
      expect(replies.join('\n')).not.toContain('<@');
      expect(h.github.workflowDispatches).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  test('stage that never shows the new tag is reported once as not there yet', async () => {
    stage.set('stage', '1.302.0');
    const h = await startTaggingHarness({ settings: settings() });
    try {
      const { mark, run } = await startCut(h);
      const cut = succeedTagRun(h.github, run);
      setCi(h.github, cut.sha, 'completed', 'success');
      await tick(h);
      await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'ci_passed' });
      for (let i = 0; i < 8; i++) await tick(h, 5);
      const late = (await repliesNow(h, mark)).filter((m) => m.text.includes('not on stage yet'));
      expect(late.map((m) => m.text)).toEqual([
        expect.stringContaining('Train 303 is not on stage yet, 20 minutes after CI passed (stage reports 1.302.0).'),
      ]);
      expect(await cutOf(h)).toMatchObject({ state: 'ci_passed' });
    } finally {
      await h.close();
    }
  });

  test('a dot-release tag pushed by someone else is watched by the same machinery, once', async () => {
    stage.set('stage', '1.303.0');
    const h = await startTaggingHarness({ settings: settings() });
    try {
      const head = await arrangeTeam(h);
      h.github.addTag('v1.302.1', head, { annotated: true });
      const mark = lastTs(h);
      const options = { deps: h.bot.app.deps, train: 302, patch: 1, tag: 'v1.302.1', sha: head, actor: ALICE, now: h.clock.now() };
      expect(await watchPushedTag(options)).toMatchObject({ state: 'tagged', kind: 'patch' });
      expect(await watchPushedTag(options)).toBeNull();
      setCi(h.github, head, 'completed', 'success');
      await tick(h);
      stage.set('stage', '1.302.1');
      for (let i = 0; i < 3; i++) await tick(h);
      expect(await cutOf(h, 302)).toBeNull();
      expect(await h.bot.database.prisma.tagRelease.findUnique({ where: { tag: 'v1.302.1' } })).toMatchObject({ state: 'on_stage' });
      expect((await repliesNow(h, mark)).map((m) => m.text.split(':')[1])).toEqual(['label', 'white_check_mark', 'rocket']);
    } finally {
      await h.close();
    }
  });

  test('a GitHub rate limit mid-watch: the watcher waits as long as GitHub asks, then carries on', async () => {
    const h = await startTaggingHarness({ settings: settings() });
    try {
      await arrangeTeam(h);
      await cutTrain(h);
      const run = theTagRun(h.github);
      const cut = succeedTagRun(h.github, run);
      setCi(h.github, cut.sha, 'in_progress');
      await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'tagged' });
      h.github.injectFault({ secondaryRateLimit: { retryAfterSeconds: 600 } }, { match: (r) => r.path.endsWith('/check-runs') });
      await tick(h);
      const limited = await cutOf(h);
      expect(limited?.lastError).toMatch(/rate limit/i);
      expect(limited?.nextCheckAt?.getTime()).toBeGreaterThanOrEqual(h.clock.now().getTime() + 600_000);
      const quietFrom = h.github.requests.length;
      for (let i = 0; i < 9; i++) await tick(h);
      expect(h.github.requests.length).toBe(quietFrom);
      setCi(h.github, cut.sha, 'completed', 'success');
      await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'ci_passed', lastError: null });
    } finally {
      await h.close();
    }
  });
});
