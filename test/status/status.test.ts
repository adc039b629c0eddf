import { harnessForAll, type Harness } from '../support/harness';
import { importTeam } from '../support/team';

const SLOW = 'GitHub is slow to answer';

/**
 * The dashboard the caller ends up with: the first answer, or, when GitHub was
 * slow (a loaded machine), the full one that replaced it.
 */
async function finalAnswer(h: Harness): Promise<Record<string, unknown>> {
  await h.slack.waitForResponses(1, 8000);
  if (JSON.stringify(h.slack.responses[0]?.body).includes(SLOW)) await h.slack.waitForResponses(2, 20000);
  return h.slack.responses.at(-1)?.body ?? {};
}

function arrangeRepository(h: Harness): void {
  const github = h.github;
  const base = github.addCommit({ message: 'start', date: '2026-10-20T12:00:00Z' });
  const cut = github.addCommit({ message: 'train 301', parents: [base], date: '2026-10-21T17:00:00Z' });
  const dot = github.addCommit({ message: 'fix', parents: [cut], date: '2026-10-28T17:00:00Z' });
  github.setBranch('main', dot);
  github.addTag('v1.301.0', cut, { annotated: true });
  github.addTag('v1.301.1', dot, { annotated: true });
  github.addTag('v1.302.0-rc1', dot);
  github.setCheckRun(dot, {
    name: 'test_and_deploy_tag',
    status: 'completed',
    conclusion: 'success',
    detailsUrl: 'https://circleci.com/gh/mozilla/fxa/1',
  });
  github.addPullRequest({ title: 'Add passkeys', authorLogin: 'alice', createdAt: '2026-10-25T10:00:00Z', reviewDecision: 'APPROVED' });
  github.addPullRequest({
    title: 'Fix <!channel> & <@U999> in emails',
    authorLogin: 'bob',
    createdAt: '2026-10-26T10:00:00Z',
    mergeable: 'CONFLICTING',
  });
  github.addPullRequest({ title: 'WIP: new settings', authorLogin: 'alice', createdAt: '2026-10-30T10:00:00Z', isDraft: true });
}

describe('/release status', () => {
  const h = harnessForAll({ now: '2026-11-02T16:50:00Z' }, arrangeRepository);
  beforeEach(async () => {
    // The previous test's answers are all in, so none lands in this one.
    await h.bot.app.deps.inFlight.idle(20_000);
    // Each test is a new moment: past the 5 s for which a GitHub read is reused.
    h.clock.advance(10_000);
    h.slack.reset();
    h.slack.responses.length = 0;
    h.github.resetRequests();
    h.github.clearFaults();
  });

  test('shows the train, cutoff in PT/ET/UTC and the viewer’s zone, latest tag with CI, and open PRs', async () => {
    await h.sender.sendSlashCommand({ text: 'status', userId: 'U0VIEWER1' });
    const body = await finalAnswer(h);
    expect(body.response_type).toBe('ephemeral');
    const text = JSON.stringify(body.blocks);
    expect(text).toContain('Train 302: main is building it');
    // 10:00 PT on Wednesday 4 November 2026, after the end of DST: 18:00 UTC.
    expect(text).toMatch(/Wed 4 Nov.*10:00 PT.*13:00 ET.*18:00 UTC/);
    expect(text).toContain(`<!date^${Date.parse('2026-11-04T18:00:00Z') / 1000}^`);
    expect(text).toMatch(/2 days 1 hour/);
    expect(text).toContain('v1.301.1');
    expect(text).not.toContain('v1.302.0-rc1');
    expect(text).toMatch(/`test_and_deploy_tag`: :white_check_mark: <https:\/\/circleci\.com\/gh\/mozilla\/fxa\/1\|passed>/);
    expect(text).toMatch(/3 by 2 authors, oldest first/);
    expect(text.indexOf('Add passkeys')).toBeLessThan(text.indexOf('WIP: new settings'));
    expect(text).toContain('merge conflict');
    expect(text).toContain('draft');
    expect(text).toContain('no owner assigned');
    // One GitHub request for everything.
    expect(h.github.requests).toHaveLength(1);
  });

  test('a burst of status requests shares one GitHub read', async () => {
    await Promise.all([1, 2, 3, 4, 5].map(() => h.sender.sendSlashCommand({ text: 'status' })));
    await h.slack.waitForResponses(5, 8000);
    await h.bot.app.deps.inFlight.idle(20_000);
    expect(h.github.requests).toHaveLength(1);
    // Five people, five full dashboards (each maybe after a partial one).
    expect(h.slack.responses.filter((r) => JSON.stringify(r.body).includes('v1.301.1'))).toHaveLength(5);
  });

  test('a change in the database shows at once, within the seconds a dashboard is reused', async () => {
    await h.sender.sendSlashCommand({ text: 'status' });
    expect(JSON.stringify(await finalAnswer(h))).toContain('no owner assigned');
    await h.bot.app.deps.inFlight.idle(20_000);
    h.slack.responses.length = 0;
    // Same instant: the dashboard would be reused, but the roster changed.
    await importTeam(h, { people: { U0OWNER01: 'owner' }, rotation: ['U0OWNER01'], startTrain: 302, actor: 'U0ADMIN01' });
    await h.sender.sendSlashCommand({ text: 'status' });
    expect(JSON.stringify(await finalAnswer(h))).toContain('*Release owner*\\n<@U0OWNER01>');
  });

  test('PR titles from GitHub are escaped before they reach mrkdwn', async () => {
    await h.sender.sendSlashCommand({ text: 'status' });
    const text = JSON.stringify((await finalAnswer(h)).blocks);
    expect(text).toContain('Fix &lt;!channel&gt; &amp; &lt;@U999&gt; in emails');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U999>');
  });

  test('GitHub failing (5xx) gives a partial status that says what is missing', async () => {
    h.github.injectFault({ status: 502 }, { times: 5 });
    await h.sender.sendSlashCommand({ text: 'status' });
    const text = JSON.stringify(await finalAnswer(h));
    expect(text).toMatch(/Wed 4 Nov.*10:00 PT/);
    expect(text).toMatch(/GitHub is not answering.*Tags, CI and open pull requests are not shown/);
    expect(text).not.toContain('Latest tag');
  });

  test('GitHub refusing (403 rate limit) gives a partial status too', async () => {
    h.github.injectFault({ secondaryRateLimit: { retryAfterSeconds: 120 } }, { times: 3 });
    await h.sender.sendSlashCommand({ text: 'status' });
    const text = JSON.stringify(await finalAnswer(h));
    expect(text).toMatch(/GitHub is rate-limiting the bot; try again in 2 min/);
    expect(text).toContain('Tags, CI and open pull requests are not shown');
  });

  test('GitHub timing out gives a partial answer first, then the reason', async () => {
    h.github.injectFault({ hang: true }, { times: 5 });
    await h.sender.sendSlashCommand({ text: 'status' });
    await h.slack.waitForResponses(2, 15000);
    const [first, second] = h.slack.responses;
    expect(JSON.stringify(first?.body)).toContain('GitHub is slow to answer');
    expect(second?.body.replace_original).toBe(true);
    expect(JSON.stringify(second?.body)).toContain('Tags, CI and open pull requests are not shown');
  });
});

describe('/release status with GitHub slow but answering', () => {
  // GitHub answers 3 s after the 2 s partial answer and 5 s before the request would time out: margins that hold on a busy machine.
  const h = harnessForAll({ now: '2026-11-02T16:50:00Z', githubTimeoutMs: 10_000 }, arrangeRepository);

  test('the partial answer is replaced by the full dashboard', async () => {
    h.github.injectFault({ delayMs: 5000 }, { times: 1 });
    await h.sender.sendSlashCommand({ text: 'status' });
    await h.slack.waitForResponses(2, 12_000);
    const [first, second] = h.slack.responses;
    expect(JSON.stringify(first?.body)).toContain('GitHub is slow to answer');
    expect(second?.body.replace_original).toBe(true);
    expect(JSON.stringify(second?.body)).toContain('v1.301.1');
  });
});

describe('the App Home tab', () => {
  const h = harnessForAll({ now: '2026-11-02T17:00:00Z' }, arrangeRepository);

  test('opening it publishes the dashboard once per event, and Refresh publishes it again', async () => {
    const event = h.sender.appHomeOpenedEvent({ userId: 'U0HOMEUSR' });
    await h.sender.sendEvent(event, { eventId: 'Ev0HOME1' });
    await h.sender.sendEvent(event, { eventId: 'Ev0HOME1', retryNum: 1, retryReason: 'http_timeout' });
    await h.slack.waitForCalls('views.publish', 1, 5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.slack.callsTo('views.publish')).toHaveLength(1);
    const published = h.slack.publishedView('U0HOMEUSR');
    expect(JSON.stringify(published?.blocks)).toContain('Train 302: main is building it');

    // Slack rate-limits the next publish: the bot waits Retry-After and publishes once.
    h.slack.failNext('views.publish', { rateLimited: { retryAfterSeconds: 1 } });
    const started = Date.now();
    await h.sender.sendBlockActions(
      h.sender.blockActionsPayload({ userId: 'U0HOMEUSR', actionId: 'status_refresh', view: { id: published?.id ?? 'V1', type: 'home' } }),
    );
    await h.slack.waitForCalls('views.publish', 3, 8000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const publishes = h.slack.callsTo('views.publish');
    expect(publishes).toHaveLength(3);
    expect(publishes[1]?.response?.status).toBe(429);
    expect(publishes[2]?.response?.status).toBe(200);
  });
});
