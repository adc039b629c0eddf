/**
 * GitHub webhooks (`POST /github/webhooks`): signature-verified, deduplicated,
 * and advancing a cut without polling: a `workflow_run` adopts and finishes
 * the tagging run, a `check_run` reports CI. Polling stays as a slow safety net.
 */
import { checkRunPayload, sendWebhook, signWebhook, workflowRunPayload } from '../fakes/github-webhooks';
import { setCi, succeedTagRun, theTagRun } from '../fakes/tag-release-workflow';
import { startHarness, type Harness } from '../support/harness';
import { AFTER_CUTOFF, arrangeTeam, cutOf, cutTrain, lastTs, settle, SETTINGS, repliesNow, tick, startTaggingHarness } from './helpers';

const SECRET = 'webhook-secret-of-the-tests-0123';

describe('GitHub webhooks', () => {
  let h: Harness;
  let url: string;

  beforeAll(async () => {
    h = await startHarness({ settings: SETTINGS, now: AFTER_CUTOFF, env: { GITHUB_WEBHOOK_SECRET: SECRET } });
    await arrangeTeam(h);
    url = `${h.bot.url}/github/webhooks`;
  });
  afterAll(async () => {
    await h.close();
  });

  async function deliver(event: string, payload: unknown, deliveryId?: string): Promise<number> {
    const status = await sendWebhook({ url, secret: SECRET, event, payload, ...(deliveryId ? { deliveryId } : {}) });
    await settle(h);
    return status;
  }

  test('a delivery without the right signature is refused with 401; ping answers 200; other methods 405', async () => {
    const payload = { zen: 'Keep it logically awesome.', hook_id: 1 };
    expect(await sendWebhook({ url, secret: SECRET, event: 'ping', payload, signature: null })).toBe(401);
    expect(
      await sendWebhook({
        url,
        secret: SECRET,
        event: 'ping',
        payload,
        signature: signWebhook('another-secret-entirely-0000', JSON.stringify(payload)),
      }),
    ).toBe(401);
    expect(await sendWebhook({ url, secret: SECRET, event: 'ping', payload, signature: 'sha256=abc' })).toBe(401);
    expect(await sendWebhook({ url, secret: SECRET, event: 'ping', payload })).toBe(200);
    const get = await fetch(url);
    expect(get.status).toBe(405);
  });

  test('a cut advanced by webhooks: two GitHub requests from the dispatch to the CI result, each step posted once', async () => {
    const mark = lastTs(h);
    await cutTrain(h);
    const dispatchIndex = h.github.requests.findIndex((r) => r.method === 'POST' && r.path.endsWith('/dispatches'));
    expect(dispatchIndex).toBeGreaterThanOrEqual(0);
    const run = theTagRun(h.github);

    // Someone else's repository: ignored.
    const foreign = workflowRunPayload(h.github, run, 'requested');
    expect(await deliver('workflow_run', { ...foreign, repository: { full_name: 'someone/else' } })).toBe(202);
    expect(await cutOf(h)).toMatchObject({ runId: null });
    // A forged delivery (wrong signature): refused, and nothing changes.
    const forged = await sendWebhook({
      url,
      secret: 'not-the-secret-at-all-0000',
      event: 'workflow_run',
      payload: workflowRunPayload(h.github, run, 'requested'),
      signature: signWebhook('not-the-secret-at-all-0000', JSON.stringify(workflowRunPayload(h.github, run, 'requested'))),
    });
    expect(forged).toBe(401);
    await settle(h);
    expect(await cutOf(h)).toMatchObject({ runId: null });

    expect(await deliver('workflow_run', workflowRunPayload(h.github, run, 'requested'))).toBe(202);
    expect(await cutOf(h)).toMatchObject({ state: 'dispatched', runId: BigInt(run.id) });
    const cut = succeedTagRun(h.github, run);
    const completed = workflowRunPayload(h.github, run, 'completed');
    expect(await deliver('workflow_run', completed, 'delivery-run-completed')).toBe(202);
    expect(await cutOf(h)).toMatchObject({ state: 'tagged', tagSha: cut.sha });
    // GitHub redelivers: handled once.
    expect(await deliver('workflow_run', completed, 'delivery-run-completed')).toBe(202);

    const checkId = setCi(h.github, cut.sha, 'in_progress');
    const check = () => {
      const found = h.github.checkRuns.find((r) => r.id === checkId);
      if (!found) throw new Error('no check run');
      return found;
    };
    expect(await deliver('check_run', checkRunPayload(h.github, check(), 'created'))).toBe(202);
    expect(await cutOf(h)).toMatchObject({ state: 'tagged', ciStatus: 'in_progress' });
    // Ten quiet minutes: the safety net does not poll yet.
    const quietFrom = h.github.requests.length;
    for (let i = 0; i < 10; i++) await tick(h);
    expect(h.github.requests.length).toBe(quietFrom);
    setCi(h.github, cut.sha, 'completed', 'success');
    expect(await deliver('check_run', checkRunPayload(h.github, check(), 'completed'))).toBe(202);
    expect(await cutOf(h)).toMatchObject({ state: 'ci_passed', ciConclusion: 'success' });

    const used = h.github.requests.slice(dispatchIndex).map((r) => `${r.method} ${r.path}`);
    expect(used).toEqual([
      'POST /repos/mozilla/fxa/actions/workflows/tag-release.yml/dispatches',
      'GET /repos/mozilla/fxa/commits/v1.303.0',
    ]);
    expect((await repliesNow(h, mark)).map((m) => m.text.split(':')[1])).toEqual(['label', 'label', 'white_check_mark']);
  });

  test('CI failing, told by a webhook: the failing jobs are read once and listed', async () => {
    const release = await cutOf(h);
    if (!release?.tagSha) throw new Error('no tag');
    await h.bot.database.prisma.tagRelease.update({
      where: { id: release.id },
      data: { state: 'tagged', ciConclusion: null, version: { increment: 1 } },
    });
    h.github.setCommitStatus(release.tagSha, {
      context: 'ci/circleci: integration',
      state: 'failure',
      targetUrl: 'https://circleci.com/gh/mozilla/fxa/7',
    });
    const checkId = setCi(h.github, release.tagSha, 'completed', 'failure');
    const check = h.github.checkRuns.find((r) => r.id === checkId);
    if (!check) throw new Error('no check run');
    const mark = lastTs(h);
    const before = h.github.requests.length;
    expect(await deliver('check_run', checkRunPayload(h.github, check, 'completed'))).toBe(202);
    expect(await cutOf(h)).toMatchObject({ state: 'ci_failed' });
    expect(h.github.requests.slice(before).map((r) => r.path)).toEqual([`/repos/mozilla/fxa/commits/${release.tagSha}/status`]);
    expect((await repliesNow(h, mark)).map((m) => m.text)).toEqual([
      expect.stringContaining('<https://circleci.com/gh/mozilla/fxa/7|ci/circleci: integration>'),
    ]);
  });

  test('without a webhook secret there is no webhook endpoint', async () => {
    const plain = await startTaggingHarness();
    try {
      expect(await sendWebhook({ url: `${plain.bot.url}/github/webhooks`, secret: SECRET, event: 'ping', payload: {} })).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
