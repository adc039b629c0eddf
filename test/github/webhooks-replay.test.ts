/**
 * A captured webhook re-sent under a new delivery id (issue 13, request
 * limits: "replays inside the window do nothing — also for webhooks").
 * `X-GitHub-Delivery` is not covered by the signature, so anyone who saw a
 * delivery can send its signed body again with a fresh id: the bot claims the
 * body's hash too, and such a replay does nothing (here: the watcher does not
 * go and look at GitHub again). A redelivery under the same id was ignored
 * already; a new event (another body) is still applied.
 */
import { checkSuitePayload, sendWebhook, workflowRunPayload } from '../fakes/github-webhooks';
import { succeedTagRun, theTagRun } from '../fakes/tag-release-workflow';
import type { Harness } from '../support/harness';
import { cutOf, cutTrain, settle, startWebhookHarness, WEBHOOK_SECRET } from '../tagging/helpers';

describe('a webhook replayed under a new delivery id', () => {
  let h: Harness;
  beforeAll(async () => {
    ({ h } = await startWebhookHarness());
  });
  afterAll(async () => {
    await h.close();
  });

  async function deliver(event: string, payload: unknown, deliveryId: string): Promise<number> {
    const status = await sendWebhook({ url: `${h.bot.url}/github/webhooks`, secret: WEBHOOK_SECRET, event, payload, deliveryId });
    await settle(h);
    return status;
  }

  test('the same signed body under a new id is accepted (202) and does nothing; another body is applied', async () => {
    await cutTrain(h);
    const run = theTagRun(h.github);
    const cut = succeedTagRun(h.github, run);
    expect(await deliver('workflow_run', workflowRunPayload(h.github, run, 'completed'), 'delivery-1')).toBe(202);
    expect(await cutOf(h)).toMatchObject({ state: 'tagged', tagSha: cut.sha });

    // A check suite on the tag's commit: the watcher looks at its CI on GitHub.
    const suite = checkSuitePayload(h.github, { id: 7, headSha: cut.sha, status: 'queued', conclusion: null }, 'requested');
    const before = h.github.requests.length;
    expect(await deliver('check_suite', suite, 'delivery-2')).toBe(202);
    const looked = h.github.requests.length - before;
    expect(looked).toBeGreaterThan(0);

    // Captured and sent again: under its own id, then under new ones. GitHub is asked nothing more.
    const afterFirst = h.github.requests.length;
    expect(await deliver('check_suite', suite, 'delivery-2')).toBe(202);
    expect(await deliver('check_suite', suite, 'delivery-replayed-3')).toBe(202);
    expect(await deliver('check_suite', suite, 'delivery-replayed-4')).toBe(202);
    expect(h.github.requests.slice(afterFirst).map((r) => `${r.method} ${r.path}`)).toEqual([]);

    // A new event (its body differs) is applied as before.
    const completed = checkSuitePayload(h.github, { id: 7, headSha: cut.sha, status: 'completed', conclusion: 'success' }, 'completed');
    expect(await deliver('check_suite', completed, 'delivery-5')).toBe(202);
    expect(h.github.requests.length - afterFirst).toBe(looked);
  });
});
