/** The watcher's rules after the tag, pure: CI after a failure, the quiet watches, production, the check_suite event. */
import { settingsSchema } from '../../src/config';
import { parseWebhookEvent } from '../../src/github/webhooks';
import { deadlinesOf, nextCheckAt } from '../../src/tagging/watch-policy';
import { decideStep, settle, type StepInput } from '../../src/tagging/watch-steps';
import { releaseRow } from './release-row';

const settings = settingsSchema.parse({});
const MINUTE = 60_000;
const at = new Date('2026-11-18T18:30:00Z');
const input = (now = new Date(at.getTime() + 10 * MINUTE)): StepInput => ({ settings, webhooks: false, now });
const failed = releaseRow({
  state: 'ci_failed',
  ciStatus: 'completed',
  ciConclusion: 'failure',
  ciCheckId: 10n,
  ciFailures: [{ name: 'test_and_deploy_tag', url: null }],
});
const check = (id: number, status: string, conclusion: string | null) => ({
  id,
  name: 'test_and_deploy_tag',
  headSha: 'a'.repeat(40),
  status,
  conclusion,
  detailsUrl: null,
  htmlUrl: null,
});

describe('CI after a failure', () => {
  test('the failure already reported, or an older check run, changes nothing', () => {
    expect(decideStep(input(), failed, { kind: 'ci', check: check(10, 'completed', 'failure'), statuses: [] })).toEqual({ kind: 'wait' });
    expect(decideStep(input(), failed, { kind: 'ci', check: check(9, 'in_progress', null), statuses: [] })).toEqual({ kind: 'wait' });
    // CircleCI statuses: the same failing jobs are the same failure.
    const byStatus = releaseRow({ ...failed, ciCheckId: null, ciFailures: [{ name: 'ci/circleci: e2e', url: 'https://circleci.com/1' }] });
    const statuses = [{ context: 'ci/circleci: e2e', state: 'failure', targetUrl: 'https://circleci.com/1', description: null }];
    expect(decideStep(input(), byStatus, { kind: 'ci', check: null, statuses })).toEqual({ kind: 'wait' });
  });

  test('a new check run running is the re-run (CI running again, round 2); a pass moves on; another failure is round 2', () => {
    expect(decideStep(input(), failed, { kind: 'ci', check: check(11, 'in_progress', null), statuses: [] })).toMatchObject({
      kind: 'change',
      changes: { state: 'tagged', ciRound: 2, ciCheckId: 11n },
      notices: [{ kind: 'ci-rerun', round: 2 }],
    });
    expect(decideStep(input(), failed, { kind: 'ci', check: check(11, 'completed', 'success'), statuses: [] })).toMatchObject({
      kind: 'change',
      changes: { state: 'ci_passed', ciRound: 2 },
      notices: [{ kind: 'ci-passed', round: 2 }],
    });
    expect(decideStep(input(), failed, { kind: 'ci', check: check(11, 'completed', 'failure'), statuses: [] })).toMatchObject({
      kind: 'change',
      changes: { ciRound: 2, flakyBy: null, issueBy: null },
      notices: [{ kind: 'ci-failed', round: 2 }],
    });
  });

  test('a failure is watched for giveUpHours after it (or after the re-run asked for), then the watch just stops, silently', () => {
    expect(deadlinesOf(settings, failed)).toEqual({ lateAt: null, giveUpAt: new Date(at.getTime() + 24 * 60 * MINUTE) });
    const rerunAt = new Date(at.getTime() + 30 * 60 * MINUTE);
    expect(deadlinesOf(settings, releaseRow({ ...failed, rerunAt })).giveUpAt).toEqual(new Date(rerunAt.getTime() + 24 * 60 * MINUTE));
    const late = input(new Date(at.getTime() + 25 * 60 * MINUTE));
    expect(settle(late, failed, { kind: 'wait' }, false)).toEqual({ changes: expect.objectContaining({ nextCheckAt: null }) });
    expect(nextCheckAt({ settings, webhooks: false, release: failed, now: input().now })).not.toBeNull();
  });
});

describe('production', () => {
  const onStage = releaseRow({ state: 'on_stage', stageVersion: '1.303.0' });
  const production = (version: string, train: number, patch: number) =>
    ({ kind: 'stage', stage: { environment: 'production', ok: true, version, train, patch } }) as const;

  test('the tag in production: "reached production"; a later patch of the train: in production, said by that patch', () => {
    expect(decideStep(input(), onStage, production('1.303.0', 303, 0))).toMatchObject({
      kind: 'change',
      changes: { state: 'in_production', productionVersion: '1.303.0' },
      notices: [{ kind: 'in-production', train: 303 }],
    });
    const later = decideStep(input(), onStage, production('1.303.2', 303, 2));
    expect(later).toMatchObject({ kind: 'change', changes: { state: 'in_production' } });
    expect(later.kind === 'change' ? later.notices : []).toEqual([]);
    expect(decideStep(input(), onStage, production('1.302.4', 302, 4))).toEqual({ kind: 'wait' });
    expect(deadlinesOf(settings, onStage)).toEqual({ lateAt: null, giveUpAt: new Date(at.getTime() + 21 * 24 * 60 * MINUTE) });
  });
});

describe('the check_suite webhook', () => {
  test('is read (head_sha, status, conclusion); without a head_sha it is "other"', () => {
    expect(
      parseWebhookEvent('check_suite', {
        action: 'rerequested',
        repository: { full_name: 'mozilla/fxa' },
        check_suite: { id: 5, head_sha: 'b'.repeat(40), status: 'queued', conclusion: null },
      }),
    ).toEqual({
      kind: 'check_suite',
      action: 'rerequested',
      repository: 'mozilla/fxa',
      headSha: 'b'.repeat(40),
      status: 'queued',
      conclusion: null,
    });
    expect(parseWebhookEvent('check_suite', { check_suite: { id: 5 } })).toEqual({ kind: 'other', name: 'check_suite' });
  });
});
