/**
 * The watcher's pacing, as functions of `now` and the release row: how long
 * to wait before the next look (backing off while nothing happens, or the
 * webhook safety interval), when a state is late (reported once) and when the
 * watch gives up, and which workflow run belongs to a dispatch. Pure: no I/O.
 */
import type { Settings } from '../config';
import type { WorkflowRunSummary } from '../github/client';
import type { TagRelease } from './release-store';
import { WATCHED_STATES, type TagState } from './states';

const MINUTE = 60_000;
/** Clock difference tolerated between the bot and GitHub when matching a run to a dispatch. */
export const CLOCK_SKEW_MS = 2 * MINUTE;
/**
 * A release still `requested` (or `image_requested`) this long after the row
 * was taken belongs to a process that died around its dispatch: whether
 * GitHub got it is unknown, so the watcher looks for a run and never
 * dispatches again by itself.
 */
export const REQUEST_STALE_MS = 3 * MINUTE;
/** How long to wait when GitHub rate-limits the bot without saying for how long. */
const RATE_LIMIT_DEFAULT_MS = 5 * MINUTE;

/** States whose news GitHub sends as webhooks; with webhooks configured they are polled only as a safety net. */
const WEBHOOK_STATES: ReadonlySet<string> = new Set(['dispatched', 'tagged', 'image_dispatched', 'ci_failed']);

/** Whether the release waits for its version to reach stage (images built, or CI passed when no image workflow runs). */
export function waitingForStage(state: string, settings: Settings): boolean {
  return state === 'image_built' || (state === 'ci_passed' && !settings.dispatchImageWorkflow);
}

/** Wait before the next look: doubling from `pollMinutes` to `maxPollMinutes`, or the webhook safety interval. */
export function pollIntervalMs(settings: Settings, webhooks: boolean, state: string, polls: number): number {
  const watch = settings.tagWatch;
  if (webhooks && WEBHOOK_STATES.has(state)) return watch.webhookPollMinutes * MINUTE;
  return Math.min(watch.pollMinutes * 2 ** Math.min(polls, 20), watch.maxPollMinutes) * MINUTE;
}

/**
 * When the current state is late (reported once), and when the watch gives up on it. The deadlines that
 * conclude something (a run that never appeared, giving up) are pushed back by the time GitHub could not be
 * read: they are suspended while it fails. Lateness that only says "taking long" counts from the state's start.
 */
export function deadlinesOf(settings: Settings, release: TagRelease): { lateAt: Date | null; giveUpAt: Date } {
  const watch = settings.tagWatch;
  const since = release.stateSince.getTime();
  const read = since + release.githubDownSeconds * 1000;
  const after = (minutes: number) => new Date(since + minutes * MINUTE);
  const afterRead = (minutes: number) => new Date(read + minutes * MINUTE);
  const giveUpAt = afterRead(watch.giveUpHours * 60);
  switch (release.state) {
    case 'requested':
    case 'image_requested':
      return { lateAt: new Date(since + REQUEST_STALE_MS), giveUpAt };
    case 'dispatched':
      return { lateAt: release.runId === null ? afterRead(watch.runAppearMinutes) : after(watch.runMinutes), giveUpAt };
    case 'image_dispatched':
      return { lateAt: release.imageRunId === null ? afterRead(watch.runAppearMinutes) : after(watch.runMinutes), giveUpAt };
    case 'run_succeeded':
      return { lateAt: after(watch.runAppearMinutes), giveUpAt };
    case 'tagged':
      return { lateAt: after(watch.ciMinutes), giveUpAt };
    case 'ci_failed': {
      // Watched for a re-run; a re-run someone asked for (or said they made) watches afresh.
      const from = release.rerunAt && release.rerunAt.getTime() > since ? release.rerunAt.getTime() : since;
      return { lateAt: null, giveUpAt: new Date(from + watch.giveUpHours * 60 * MINUTE) };
    }
    case 'on_stage':
      return { lateAt: null, giveUpAt: after(settings.productionWatchDays * 24 * 60) };
    default:
      return { lateAt: waitingForStage(release.state, settings) ? after(watch.stageMinutes) : null, giveUpAt };
  }
}

/** When to look next: the next poll, or the next deadline if sooner; null when there is nothing to watch. */
export function nextCheckAt(options: {
  settings: Settings;
  webhooks: boolean;
  release: TagRelease;
  now: Date;
  atLeastMs?: number;
}): Date | null {
  const { settings, release, now } = options;
  if (!WATCHED_STATES.has(release.state as TagState)) return null;
  let next = now.getTime() + pollIntervalMs(settings, options.webhooks, release.state, release.polls);
  const { lateAt, giveUpAt } = deadlinesOf(settings, release);
  for (const deadline of [release.overdueReportedAt === null ? lateAt : null, giveUpAt]) {
    if (deadline && deadline.getTime() > now.getTime()) next = Math.min(next, deadline.getTime());
  }
  // A rate limit's wait is kept even when a deadline comes first.
  return new Date(Math.max(next, now.getTime() + (options.atLeastMs ?? 0)));
}

/** The release as it is once it enters `state` at `now` (the state's clock, polls and lateness report start again). */
export function entering(release: TagRelease, state: TagState, now: Date): TagRelease {
  return { ...release, state, stateSince: now, polls: 0, overdueReportedAt: null, githubDownSeconds: 0 };
}

/** Whole seconds of the current state GitHub could not be read during an outage that ends at `now`. */
export function downSecondsUntil(release: TagRelease, now: Date): number {
  if (release.githubDownSince === null) return 0;
  const from = Math.max(release.githubDownSince.getTime(), release.stateSince.getTime());
  return Math.max(0, Math.round((now.getTime() - from) / 1000));
}

/** When the watcher looks at a release next after a rate limit, at the earliest: GitHub's `retry-after`, or 5 minutes. */
export function rateLimitWaitMs(retryAfterSeconds: number | null): number {
  return retryAfterSeconds === null ? RATE_LIMIT_DEFAULT_MS : retryAfterSeconds * 1000;
}

/** Whole minutes from `since` to `now`, rounded. */
export function minutesSince(since: Date, now: Date): number {
  return Math.round((now.getTime() - since.getTime()) / MINUTE);
}

/**
 * Does a run (from a webhook, or a listing) belong to a dispatch of the workflow at `since`? Never a run of an
 * earlier attempt (`earlierRunIds`): a fast failure retried a minute later was created within the clock skew.
 */
export function runMatchesDispatch(options: {
  settings: Settings;
  run: WorkflowRunSummary;
  since: Date;
  earlierRunIds?: readonly bigint[];
}): boolean {
  const { run, settings } = options;
  return (
    run.event === 'workflow_dispatch' &&
    run.headBranch === settings.mainBranch &&
    Date.parse(run.createdAt) >= options.since.getTime() - CLOCK_SKEW_MS &&
    !(options.earlierRunIds ?? []).includes(BigInt(run.id))
  );
}

/** The runs that may be a dispatch's at `since`, oldest first (the first one not claimed by another release is the dispatch's). */
export function dispatchCandidates(options: {
  settings: Settings;
  runs: WorkflowRunSummary[];
  since: Date;
  earlierRunIds?: readonly bigint[];
}): WorkflowRunSummary[] {
  return options.runs
    .filter((run) => runMatchesDispatch({ ...options, run }))
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id);
}
