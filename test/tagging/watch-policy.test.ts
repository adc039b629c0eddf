/** The watcher's pure parts on fixed clocks: pacing (watch-policy.ts) and the step deciders (watch-steps.ts). */
import { settingsSchema } from '../../src/config';
import type { WorkflowRunSummary } from '../../src/github/client';
import { GitHubRateLimitedError } from '../../src/github/errors';
import {
  CLOCK_SKEW_MS,
  deadlinesOf,
  dispatchCandidates,
  minutesSince,
  nextCheckAt,
  pollIntervalMs,
  rateLimitWaitMs,
  REQUEST_STALE_MS,
  runMatchesDispatch,
} from '../../src/tagging/watch-policy';
import { ciVerdict, decideQuiet, decideStep, settle } from '../../src/tagging/watch-steps';
import { releaseRow } from './release-row';

const settings = settingsSchema.parse({});
const withImages = settingsSchema.parse({ dispatchImageWorkflow: true });
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SINCE = new Date('2026-11-18T18:30:00Z');
const at = (minutes: number) => new Date(SINCE.getTime() + minutes * MINUTE);

function run(overrides: Partial<WorkflowRunSummary> = {}): WorkflowRunSummary {
  return {
    id: 7,
    status: 'completed',
    conclusion: 'success',
    htmlUrl: 'https://github.test/run/7',
    createdAt: at(1).toISOString(),
    event: 'workflow_dispatch',
    headBranch: 'main',
    headSha: 'b'.repeat(40),
    ...overrides,
  };
}

describe('backoff', () => {
  test('doubles from pollMinutes up to maxPollMinutes, and stays there however long it goes', () => {
    expect([0, 1, 2, 3, 50, 10_000].map((polls) => pollIntervalMs(settings, false, 'dispatched', polls) / MINUTE)).toEqual([
      1, 2, 4, 5, 5, 5,
    ]);
  });

  test('with webhooks, only the states GitHub reports by webhook wait for the safety interval', () => {
    expect(['dispatched', 'tagged', 'image_dispatched'].map((state) => pollIntervalMs(settings, true, state, 0) / MINUTE)).toEqual([
      15, 15, 15,
    ]);
    expect(['requested', 'run_succeeded', 'image_built'].map((state) => pollIntervalMs(settings, true, state, 3) / MINUTE)).toEqual([
      5, 5, 5,
    ]);
  });

  test('a rate limit waits as long as GitHub says, or 5 minutes when it does not say', () => {
    expect(rateLimitWaitMs(90)).toBe(90_000);
    expect(rateLimitWaitMs(null)).toBe(5 * MINUTE);
  });
});

describe('deadlines', () => {
  const giveUpAt = new Date(SINCE.getTime() + 24 * HOUR);

  test.each([
    ['requested', {}, REQUEST_STALE_MS / MINUTE],
    ['image_requested', {}, REQUEST_STALE_MS / MINUTE],
    ['dispatched', { runId: null }, 10],
    ['dispatched', { runId: 5n }, 30],
    ['image_dispatched', { imageRunId: null }, 10],
    ['image_dispatched', { imageRunId: 6n }, 30],
    ['run_succeeded', {}, 10],
    ['tagged', {}, 120],
    ['image_built', {}, 120],
  ] as const)('%s %j is late after %d minutes, and given up after 24 hours', (state, overrides, minutes) => {
    expect(deadlinesOf(settings, releaseRow({ state, stateSince: SINCE, ...overrides }))).toEqual({ lateAt: at(minutes), giveUpAt });
  });

  test('CI passed waits for stage only without an image workflow; final states are never late', () => {
    expect(deadlinesOf(settings, releaseRow({ state: 'ci_passed' })).lateAt).toEqual(at(120));
    expect(deadlinesOf(withImages, releaseRow({ state: 'ci_passed' })).lateAt).toBeNull();
    expect(deadlinesOf(settings, releaseRow({ state: 'on_stage' })).lateAt).toBeNull();
  });

  test('minutes since a state began are rounded', () => {
    expect(minutesSince(SINCE, new Date(SINCE.getTime() + 89_000))).toBe(1);
    expect(minutesSince(SINCE, new Date(SINCE.getTime() + 90_000))).toBe(2);
  });
});

describe('the next look', () => {
  test('is the next poll while no deadline comes first', () => {
    expect(nextCheckAt({ settings, webhooks: false, release: releaseRow({ polls: 2 }), now: at(5) })).toEqual(at(9));
  });

  test('is the lateness deadline when it comes before the poll, and the give-up deadline once lateness was reported', () => {
    expect(nextCheckAt({ settings, webhooks: true, release: releaseRow(), now: at(110) })).toEqual(at(120));
    const reported = releaseRow({ overdueReportedAt: at(120), polls: 5 });
    expect(nextCheckAt({ settings, webhooks: false, release: reported, now: at(24 * 60 - 2), atLeastMs: 0 })).toEqual(at(24 * 60));
  });

  test('a deadline already passed does not pull the next look to now', () => {
    expect(nextCheckAt({ settings, webhooks: false, release: releaseRow({ polls: 0 }), now: at(121) })).toEqual(at(122));
  });

  test('a rate limit wait is kept even when a deadline comes first; nothing is watched in a final state', () => {
    expect(nextCheckAt({ settings, webhooks: false, release: releaseRow(), now: at(119), atLeastMs: 10 * MINUTE })).toEqual(at(129));
    expect(nextCheckAt({ settings, webhooks: false, release: releaseRow({ state: 'in_production' }), now: at(1) })).toBeNull();
  });
});

describe('matching a run to a dispatch', () => {
  test('a workflow_dispatch run on the main branch created after the dispatch (less the clock skew) matches', () => {
    expect(runMatchesDispatch({ settings, run: run(), since: SINCE })).toBe(true);
    expect(
      runMatchesDispatch({ settings, run: run({ createdAt: new Date(SINCE.getTime() - CLOCK_SKEW_MS).toISOString() }), since: SINCE }),
    ).toBe(true);
    expect(
      runMatchesDispatch({
        settings,
        run: run({ createdAt: new Date(SINCE.getTime() - CLOCK_SKEW_MS - 1000).toISOString() }),
        since: SINCE,
      }),
    ).toBe(false);
    expect(runMatchesDispatch({ settings, run: run({ event: 'push' }), since: SINCE })).toBe(false);
    expect(runMatchesDispatch({ settings, run: run({ headBranch: 'train-303' }), since: SINCE })).toBe(false);
  });

  test('candidates are the matching runs, oldest first (by id when created together)', () => {
    const runs = [
      run({ id: 9, createdAt: at(3).toISOString() }),
      run({ id: 4, createdAt: at(-10).toISOString() }),
      run({ id: 8, createdAt: at(1).toISOString() }),
      run({ id: 2, createdAt: at(1).toISOString() }),
    ];
    expect(dispatchCandidates({ settings, runs, since: SINCE }).map((r) => r.id)).toEqual([2, 8, 9]);
  });
});

describe('deciding a step', () => {
  const input = (minutes: number, webhooks = false) => ({ settings, webhooks, now: at(minutes) });

  test('a request nobody recorded is taken as dispatched once stale, never dispatched again', () => {
    const requested = releaseRow({ state: 'requested', requestedAt: SINCE, requestedBy: 'U1', sourceSha: 'c'.repeat(40) });
    expect(decideStep(input(2), requested, { kind: 'none' })).toEqual({ kind: 'wait' });
    expect(decideStep(input(3), requested, { kind: 'none' })).toMatchObject({
      kind: 'change',
      changes: { state: 'dispatched', dispatchedAt: SINCE, dispatchUncertain: true },
      notices: [{ kind: 'dispatched', train: 303, uncertain: true, actor: 'U1' }],
    });
  });

  test('a run that failed offers a retry; the same run seen again changes nothing', () => {
    const dispatched = releaseRow({ state: 'dispatched', runId: 7n, runStatus: 'in_progress', runConclusion: null });
    expect(decideStep(input(5), dispatched, { kind: 'run', run: run({ status: 'in_progress', conclusion: null }) })).toEqual({
      kind: 'wait',
    });
    expect(decideStep(input(5), dispatched, { kind: 'run', run: run({ conclusion: 'failure' }) })).toMatchObject({
      changes: { state: 'run_failed' },
      notices: [{ kind: 'run-failed', conclusion: 'failure', releaseId: 1, attempt: 1 }],
    });
  });

  test('CI: the check run decides; without it CircleCI statuses; pending is no verdict', () => {
    const check = {
      id: 1,
      name: 'ci',
      headSha: 'a'.repeat(40),
      status: 'completed',
      conclusion: 'neutral',
      detailsUrl: 'https://ci/1',
      htmlUrl: null,
    };
    expect(ciVerdict(check, null)).toEqual({ status: 'completed', url: 'https://ci/1', conclusion: 'neutral' });
    expect(ciVerdict(null, [{ context: 'ci/circleci: a', state: 'pending', targetUrl: null, description: null }])).toMatchObject({
      conclusion: null,
      status: 'in_progress',
    });
    expect(ciVerdict(null, [])).toBeNull();
    expect(decideStep(input(5), releaseRow(), { kind: 'ci', check, statuses: null })).toMatchObject({
      changes: { state: 'ci_passed' },
      notices: [{ kind: 'ci-passed' }],
    });
  });

  test('quiet: lateness is reported once, a run that never appeared is missing, 24 hours ends the watch', () => {
    expect(decideQuiet(input(120), releaseRow(), {}, 0)).toMatchObject({
      changes: { overdueReportedAt: at(120), polls: 1 },
      notices: [{ kind: 'late', lateness: { minutes: 120 } }],
    });
    expect(decideQuiet(input(121), releaseRow({ overdueReportedAt: at(120) }), {}, 0).notices).toBeUndefined();
    expect(decideQuiet(input(10), releaseRow({ state: 'dispatched' }), {}, 0)).toMatchObject({
      changes: { state: 'run_missing', nextCheckAt: null },
      notices: [{ kind: 'run-missing', minutes: 10 }],
    });
    expect(decideQuiet(input(24 * 60), releaseRow(), {}, 0)).toMatchObject({
      changes: { state: 'ci_timeout', nextCheckAt: null },
      notices: [{ kind: 'gave-up', state: 'tagged', timeoutState: 'ci_timeout', hours: 24 }],
    });
  });

  test('settling: a new state starts its pacing again; a webhook without news writes nothing; a rate limit waits', () => {
    const polled = releaseRow({ state: 'dispatched', polls: 4 });
    const change = settle(input(5, true), polled, { kind: 'change', changes: { state: 'run_succeeded' } }, false);
    expect(change?.changes).toMatchObject({ state: 'run_succeeded', lastError: null, nextCheckAt: at(6) });
    expect(settle(input(5), polled, { kind: 'wait' }, true)).toBeNull();
    const limited = settle(
      input(5),
      releaseRow(),
      { kind: 'wait', error: new GitHubRateLimitedError('primary', 600, 'rate limited') },
      false,
    );
    expect(limited?.changes).toMatchObject({ polls: 1, nextCheckAt: at(15), lastError: 'rate limited' });
  });
});

describe('what the watcher could not read (issue 13.7, 13.8)', () => {
  test("an earlier attempt's run never matches the retry's dispatch, even inside the clock skew", () => {
    const old = run({ id: 7, createdAt: at(-1).toISOString() });
    expect(runMatchesDispatch({ settings, run: old, since: SINCE })).toBe(true);
    expect(runMatchesDispatch({ settings, run: old, since: SINCE, earlierRunIds: [7n] })).toBe(false);
    const fresh = run({ id: 8, createdAt: at(0).toISOString() });
    expect(dispatchCandidates({ settings, runs: [fresh, old], since: SINCE, earlierRunIds: [7n] }).map((r) => r.id)).toEqual([8]);
  });

  test('a look GitHub failed concludes nothing: past the deadline it says so once per outage; the outage pushes concluding deadlines back', () => {
    const input = { settings, webhooks: false, now: at(11) };
    const dispatched = releaseRow({ state: 'dispatched', tagSha: null, stateSince: SINCE, githubDownSince: at(2) });
    const error = new GitHubRateLimitedError('secondary', 60, 'rate limited');
    const failed = settle(input, dispatched, { kind: 'wait', error }, false);
    expect(failed?.changes.state).toBeUndefined();
    expect(failed?.notices).toEqual([expect.objectContaining({ kind: 'github-down', since: at(2), minutes: 9 })]);
    // Before any deadline, an outage is quiet.
    expect(settle({ ...input, now: at(5) }, dispatched, { kind: 'wait', error }, false)?.notices).toBeUndefined();
    // GitHub answers at 12 minutes: 10 minutes down, so the run may appear until 20.
    const answered = settle({ ...input, now: at(12) }, dispatched, { kind: 'wait' }, false);
    expect(answered?.changes).toMatchObject({ githubDownSince: null, githubDownSeconds: 600 });
    expect(answered?.changes.state).toBeUndefined();
    const recovered = releaseRow({ state: 'dispatched', tagSha: null, stateSince: SINCE, githubDownSeconds: 600 });
    expect(deadlinesOf(settings, recovered).lateAt).toEqual(at(20));
    expect(settle({ ...input, now: at(20) }, recovered, { kind: 'wait' }, false)?.changes.state).toBe('run_missing');
  });
});
