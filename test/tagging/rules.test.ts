/** The tagging feature's pure parts: numbering, backoff and deadlines, webhook signatures and payloads, settings. */
import { loadConfig, settingsSchema } from '../../src/config';
import { parseWebhookEvent, verifyWebhookSignature } from '../../src/github/webhooks';
import { InvalidInputError } from '../../src/errors';
import { computeTrainToCut, failingCi, pullRequestNumbers } from '../../src/tagging/plan-cut';
import { deadlinesOf, nextCheckAt, pollIntervalMs } from '../../src/tagging/watch-policy';
import { signWebhook } from '../fakes/github-webhooks';
import { releaseRow } from './release-row';

const settings = settingsSchema.parse({});
const MINUTE = 60_000;

const release = releaseRow;

describe('the train to cut', () => {
  test('is the latest release tag + 1, counted as tag-release.yml counts (hyphenated tags never count)', () => {
    expect(computeTrainToCut(['v1.301.0', 'v1.302.0', 'v1.302.3', 'v1.303.0-rc1', 'subplat-v1.2.3'], 'v1.{N}.{P}')).toEqual({
      train: 303,
      basedOnTag: 'v1.302.3',
    });
  });

  test('a stray hyphen-free tag that the workflow would count from is refused, naming it', () => {
    expect(() => computeTrainToCut(['v1.302.0', 'zeta'], 'v1.{N}.{P}')).toThrow(InvalidInputError);
    expect(() => computeTrainToCut(['v1.302.0', 'zeta'], 'v1.{N}.{P}')).toThrow(/would cut \*train 1\*: it counts from `zeta`/);
    expect(() => computeTrainToCut(['v1.302.0-rc1'], 'v1.{N}.{P}')).toThrow(/no release tag to count from/);
  });

  test('PR numbers come from squash-merge titles and merge commits', () => {
    expect(
      pullRequestNumbers(['Fix login (#123)\n\nbody (#999)', 'Merge pull request #45 from x/y', 'No number here', 'Again (#123)']),
    ).toEqual([123, 45]);
  });

  test('failing CI on a commit: failed check runs and failed or errored statuses', () => {
    expect(
      failingCi(
        [
          { id: 1, name: 'build', headSha: 'x', status: 'completed', conclusion: 'failure', detailsUrl: null, htmlUrl: null },
          { id: 2, name: 'lint', headSha: 'x', status: 'completed', conclusion: 'success', detailsUrl: null, htmlUrl: null },
          { id: 3, name: 'slow', headSha: 'x', status: 'in_progress', conclusion: null, detailsUrl: null, htmlUrl: null },
        ],
        [
          { context: 'ci/circleci: a', state: 'error', targetUrl: null, description: null },
          { context: 'ci/circleci: b', state: 'pending', targetUrl: null, description: null },
        ],
      ),
    ).toEqual(['build', 'ci/circleci: a']);
  });
});

describe('pacing the watch', () => {
  const now = new Date('2026-11-18T18:40:00Z');

  test('polling backs off from 1 to 5 minutes; with webhooks GitHub states are looked at every 15 minutes, stage as polled', () => {
    expect([0, 1, 2, 3, 4, 10].map((polls) => pollIntervalMs(settings, false, 'tagged', polls) / MINUTE)).toEqual([1, 2, 4, 5, 5, 5]);
    expect(pollIntervalMs(settings, true, 'tagged', 0) / MINUTE).toBe(15);
    expect(pollIntervalMs(settings, true, 'ci_passed', 0) / MINUTE).toBe(1);
  });

  test('the next look is never later than the next deadline (lateness once, then giving up)', () => {
    const since = new Date(now.getTime() - 118 * MINUTE);
    expect(nextCheckAt({ settings, webhooks: true, release: release({ stateSince: since }), now })).toEqual(
      new Date(since.getTime() + 120 * MINUTE),
    );
    const reported = release({ stateSince: since, overdueReportedAt: now, polls: 9 });
    expect(nextCheckAt({ settings, webhooks: false, release: reported, now })).toEqual(new Date(now.getTime() + 5 * MINUTE));
    expect(nextCheckAt({ settings, webhooks: false, release: release({ state: 'in_production' }), now })).toBeNull();
    // A rate limit asks for a longer wait.
    expect(nextCheckAt({ settings, webhooks: false, release: release({ stateSince: now }), now, atLeastMs: 30 * MINUTE })).toEqual(
      new Date(now.getTime() + 30 * MINUTE),
    );
  });

  test('deadlines: a run must appear within 10 minutes, then finish within 30; CI within 120; 24 hours in one state ends the watch', () => {
    const at = new Date('2026-11-18T18:30:00Z');
    expect(deadlinesOf(settings, release({ state: 'dispatched', stateSince: at })).lateAt).toEqual(new Date(at.getTime() + 10 * MINUTE));
    expect(deadlinesOf(settings, release({ state: 'dispatched', stateSince: at, runId: 5n })).lateAt).toEqual(
      new Date(at.getTime() + 30 * MINUTE),
    );
    expect(deadlinesOf(settings, release({ state: 'tagged', stateSince: at }))).toEqual({
      lateAt: new Date(at.getTime() + 120 * MINUTE),
      giveUpAt: new Date(at.getTime() + 24 * 60 * MINUTE),
    });
    expect(deadlinesOf(settings, release({ state: 'ci_passed', stateSince: at })).lateAt).toEqual(new Date(at.getTime() + 120 * MINUTE));
  });
});

describe('webhook deliveries', () => {
  const secret = 'a-secret-for-the-unit-tests-000';
  const body = Buffer.from('{"action":"completed"}');

  test('the signature is HMAC-SHA256 of the raw body with the secret; anything else is refused', () => {
    expect(verifyWebhookSignature({ secret, body, signature: signWebhook(secret, body.toString()) })).toBe(true);
    expect(
      verifyWebhookSignature({ secret, body: Buffer.from('{"action":"completed" }'), signature: signWebhook(secret, body.toString()) }),
    ).toBe(false);
    expect(verifyWebhookSignature({ secret, body, signature: signWebhook('other-secret-000000000000000', body.toString()) })).toBe(false);
    expect(verifyWebhookSignature({ secret, body, signature: undefined })).toBe(false);
    expect(verifyWebhookSignature({ secret, body, signature: `sha1=${'0'.repeat(40)}` })).toBe(false);
  });

  test('workflow_run and check_run payloads are read; other events and shapes are "other"', () => {
    const run = parseWebhookEvent('workflow_run', {
      action: 'completed',
      repository: { full_name: 'mozilla/fxa' },
      workflow_run: {
        id: 7,
        path: '.github/workflows/tag-release.yml',
        status: 'completed',
        conclusion: 'success',
        html_url: 'https://x/7',
        created_at: '2026-11-18T18:30:00Z',
        event: 'workflow_dispatch',
        head_branch: 'main',
        head_sha: 'b'.repeat(40),
      },
    });
    expect(run).toEqual({
      kind: 'workflow_run',
      action: 'completed',
      repository: 'mozilla/fxa',
      workflowPath: '.github/workflows/tag-release.yml',
      run: {
        id: 7,
        status: 'completed',
        conclusion: 'success',
        htmlUrl: 'https://x/7',
        createdAt: '2026-11-18T18:30:00Z',
        event: 'workflow_dispatch',
        headBranch: 'main',
        headSha: 'b'.repeat(40),
      },
    });
    expect(parseWebhookEvent('check_run', { check_run: { id: 'x' } })).toEqual({ kind: 'other', name: 'check_run' });
    expect(parseWebhookEvent('push', {})).toEqual({ kind: 'other', name: 'push' });
  });
});

describe('settings', () => {
  const env = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'signing-secret', GITHUB_TOKEN: 't' };

  test('the watch has FxA defaults, each overridable', () => {
    expect(settings.tagWatch).toEqual({
      pollMinutes: 1,
      maxPollMinutes: 5,
      webhookPollMinutes: 15,
      runAppearMinutes: 10,
      runMinutes: 30,
      ciMinutes: 120,
      stageMinutes: 120,
      giveUpHours: 24,
    });
    expect(settingsSchema.parse({ tagWatch: { ciMinutes: 45 } }).tagWatch).toMatchObject({ ciMinutes: 45, pollMinutes: 1 });
  });

  test('GITHUB_WEBHOOK_SECRET is optional, and a short one is refused without being echoed', () => {
    expect(loadConfig({ env }).env.GITHUB_WEBHOOK_SECRET).toBeUndefined();
    expect(() => loadConfig({ env: { ...env, GITHUB_WEBHOOK_SECRET: 'short' } })).toThrow(
      /GITHUB_WEBHOOK_SECRET: expected the webhook secret \(at least 16 characters\)/,
    );
    expect(() => loadConfig({ env: { ...env, GITHUB_WEBHOOK_SECRET: 'short' } })).not.toThrow(/short/);
  });
});
