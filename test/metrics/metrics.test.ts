/**
 * GET /metrics through the real HTTP server, after a scripted run of what a team does: `/release status`
 * (whose GitHub read meets a 429 with Retry-After), the App Home and its Refresh button (whose
 * `views.publish` meets Slack's 429), and a scheduler tick. Each counter moves by what the run did.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { METRIC_NAMES } from '../../src/metrics';
import { type Harness, harnessForAll, SIGNING_SECRET } from '../support/harness';
import { type Exposition, parseExposition } from './exposition';

function arrangeRepository(h: Harness): void {
  const base = h.github.addCommit({ message: 'start', date: '2026-10-20T12:00:00Z' });
  const cut = h.github.addCommit({ message: 'train 301', parents: [base], date: '2026-10-21T17:00:00Z' });
  h.github.setBranch('main', cut);
  h.github.addTag('v1.301.0', cut, { annotated: true });
  h.github.setCheckRun(cut, { name: 'test_and_deploy_tag', status: 'completed', conclusion: 'success' });
  h.github.addPullRequest({ title: 'Add passkeys', authorLogin: 'alice', createdAt: '2026-10-25T10:00:00Z' });
}

async function scrape(h: Harness): Promise<Exposition> {
  const response = await fetch(`${h.bot.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await response.text());
}

/** How much the sample moved between two scrapes. */
function moved(before: Exposition, after: Exposition, name: string, labels: Record<string, string> = {}): number {
  return after.value(name, labels) - before.value(name, labels);
}

async function settle(h: Harness): Promise<void> {
  expect(await h.bot.app.deps.inFlight.idle(20_000)).toBe(true);
}

describe('GET /metrics', () => {
  const h = harnessForAll({ now: '2026-11-02T16:50:00Z' }, arrangeRepository);

  test('counts the acks, answers, GitHub and Slack calls (429s and retries), job runs and releases of a scripted run', async () => {
    const start = await scrape(h);

    // `/release status`: GitHub answers its first read with a 429 and Retry-After: 1; the bot waits and asks again.
    h.github.injectFault({ secondaryRateLimit: { retryAfterSeconds: 1, status: 429 } }, { match: (r) => r.path === '/graphql' });
    const ack = await h.sender.sendSlashCommand({ text: 'status', userId: 'U0VIEWER1' });
    expect(ack.status).toBe(200);
    await h.slack.waitForResponses(1, 10_000);
    await settle(h);
    expect(JSON.stringify(h.slack.responses.at(-1)?.body)).toContain('v1.301.0');
    expect(h.github.requests.filter((r) => r.path === '/graphql')).toHaveLength(2);
    const afterStatus = await scrape(h);
    expect(moved(start, afterStatus, 'release_conductor_slack_ack_duration_seconds_count', { kind: 'command' })).toBe(1);
    expect(moved(start, afterStatus, 'release_conductor_answers_total', { outcome: 'answered' })).toBe(1);
    const graphql = { route: 'POST /graphql' };
    expect(moved(start, afterStatus, 'release_conductor_github_requests_total', { ...graphql, result: 'rate-limited' })).toBe(1);
    expect(moved(start, afterStatus, 'release_conductor_github_requests_total', { ...graphql, result: 'ok' })).toBe(1);
    expect(moved(start, afterStatus, 'release_conductor_github_retries_total', graphql)).toBe(1);
    // The fake counts its rate limit down from 5000 per request, as GitHub does.
    const remaining = afterStatus.value('release_conductor_github_rate_limit_remaining', { resource: 'graphql' });
    expect(remaining).toBeGreaterThan(4000);
    expect(remaining).toBeLessThan(5000);

    // The App Home, then its Refresh button, whose publish Slack rate-limits once.
    await h.sender.sendEvent(h.sender.appHomeOpenedEvent({ userId: 'U0HOMEUSR' }), { eventId: 'Ev0METRICS1' });
    await h.slack.waitForCalls('views.publish', 1, 8000);
    await settle(h);
    const view = h.slack.publishedView('U0HOMEUSR');
    h.slack.failNext('views.publish', { rateLimited: { retryAfterSeconds: 1 } });
    await h.sender.sendBlockActions(
      h.sender.blockActionsPayload({ userId: 'U0HOMEUSR', actionId: 'status_refresh', view: { id: view?.id ?? 'V1', type: 'home' } }),
    );
    await h.slack.waitForCalls('views.publish', 3, 10_000);
    await settle(h);
    const afterButton = await scrape(h);
    expect(moved(afterStatus, afterButton, 'release_conductor_slack_ack_duration_seconds_count', { kind: 'event' })).toBe(1);
    expect(moved(afterStatus, afterButton, 'release_conductor_slack_ack_duration_seconds_count', { kind: 'action' })).toBe(1);
    expect(moved(afterStatus, afterButton, 'release_conductor_answers_total', { outcome: 'answered' })).toBe(2);
    const publish = { method: 'views.publish' };
    expect(moved(afterStatus, afterButton, 'release_conductor_slack_api_requests_total', { ...publish, result: 'ok' })).toBe(2);
    expect(moved(afterStatus, afterButton, 'release_conductor_slack_api_requests_total', { ...publish, result: 'rate-limited' })).toBe(1);
    expect(moved(afterStatus, afterButton, 'release_conductor_slack_api_retries_total', publish)).toBe(1);

    // A tick at 09:00 PT: the minute's recovery of acked requests runs on time; the 03:00 housekeeping of the day runs late.
    const report = await h.bot.app.scheduler.tick(new Date('2026-11-02T17:00:00Z'));
    expect(report.ran.map((r) => r.job)).toEqual(expect.arrayContaining(['recover-slack-intents', 'prune-slack-deliveries']));
    await settle(h);
    const afterTick = await scrape(h);
    const runs = 'release_conductor_scheduled_job_runs_total';
    expect(moved(afterButton, afterTick, runs, { job: 'recover-slack-intents', outcome: 'ran' })).toBe(1);
    expect(moved(afterButton, afterTick, runs, { job: 'prune-slack-deliveries', outcome: 'late' })).toBe(1);
    expect(moved(afterButton, afterTick, runs, { job: 'prune-slack-deliveries', outcome: 'ran' })).toBe(0);

    // Releases by kind and state, read at the scrape: a cut whose CI failed with its notice not posted yet, and a dot release on stage.
    const { prisma } = h.bot.database;
    const now = new Date('2026-11-02T17:00:00Z');
    const release = (train: number, patch: number, state: string) => ({
      train,
      patch,
      tag: `v1.${train}.${patch}`,
      kind: patch === 0 ? 'train' : 'patch',
      state,
      requestedBy: 'U0VIEWER1',
      requestedAt: now,
      stateSince: now,
      createdAt: now,
      updatedAt: now,
    });
    const failed = await prisma.tagRelease.create({ data: release(302, 0, 'ci_failed') });
    await prisma.tagRelease.create({ data: release(301, 1, 'on_stage') });
    await prisma.tagReleaseNotice.create({ data: { releaseId: failed.id, key: 'ci_failed#1', text: 'CI failed', createdAt: now } });
    // Dot-release runs by state: one stopped at a conflict, one planned.
    const run = (train: number, patch: number, status: string) => ({
      train,
      patch,
      tag: `v1.${train}.${patch}`,
      branch: `train-${train}`,
      status,
      plannedBy: 'U0VIEWER1',
      createdAt: now,
      updatedAt: now,
    });
    await prisma.dotRelease.create({ data: run(301, 2, 'conflict') });
    await prisma.dotRelease.create({ data: { ...run(302, 1, 'planned'), openTrain: 302 } });
    const final = await scrape(h);
    expect(final.value('release_conductor_dot_release_runs', { state: 'conflict' })).toBe(1);
    expect(final.value('release_conductor_dot_release_runs', { state: 'planned' })).toBe(1);
    expect(final.value('release_conductor_releases', { kind: 'train', state: 'ci_failed' })).toBe(1);
    expect(final.value('release_conductor_releases', { kind: 'patch', state: 'on_stage' })).toBe(1);
    expect(final.value('release_conductor_release_notices_unposted', { state: 'ci_failed' })).toBe(1);
    // Work after acks: nothing waiting now.
    expect(final.value('release_conductor_work_queue_depth', { kind: 'light' })).toBe(0);
    expect(final.value('release_conductor_work_queue_depth', { kind: 'heavy' })).toBe(0);
    expect(final.value('release_conductor_work_tracked', { stage: 'tracked' })).toBe(0);
    // Process metrics, on the bot's own registry.
    expect(final.types.get('release_conductor_process_resident_memory_bytes')).toBe('gauge');
    expect(final.value('release_conductor_process_resident_memory_bytes')).toBeGreaterThan(0);
    for (const name of METRIC_NAMES) expect([name, final.types.has(name)]).toEqual([name, true]);
  });

  test('holds no token, secret, user id or channel id', async () => {
    const response = await fetch(`${h.bot.url}/metrics`);
    const text = await response.text();
    for (const secret of [h.slack.botToken, h.github.token, SIGNING_SECRET, 'U0VIEWER1', 'U0HOMEUSR', 'C0FXATEAM0', 'alice']) {
      expect([secret, text.includes(secret)]).toEqual([secret, false]);
    }
  });

  test('answers only GET and HEAD: another method is a 405 that says which', async () => {
    const post = await fetch(`${h.bot.url}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(await post.json()).toEqual({ error: 'method not allowed: /metrics answers GET' });
    const head = await fetch(`${h.bot.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('the README', () => {
  test('lists every metric, in its "Metrics" section', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = /\n## Metrics\n([\s\S]*?)(\n## |$)/.exec(readme)?.[1] ?? '';
    for (const name of METRIC_NAMES) expect([name, section.includes(`\`${name}\``)]).toEqual([name, true]);
  });
});
