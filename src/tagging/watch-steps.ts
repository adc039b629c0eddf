/**
 * The watcher's step deciders: given a release row and what GitHub (or stage,
 * or a webhook) said about it, decide the next state, the notices to post and
 * the audit entry, as data. Pure: watch-release.ts reads, commit.ts writes.
 */
import type { Settings } from '../config';
import type { DeployedVersion } from '../environments/deployed-versions';
import type { CheckRunSummary, CommitStatusSummary, WorkflowRunSummary } from '../github/client';
import { GitHubRateLimitedError, type GitHubError } from '../github/errors';
import { formatBranch, normaliseVersion } from '../train/versions';
import type { CutNotice, CutSummary, FailingJob, TagNotice } from './outcomes';
import type { AuditDraft, ReleaseChanges, TagRelease } from './release-store';
import { QUIET_WATCH_STATES, timeoutStateOf, type TagState } from './states';
import {
  deadlinesOf,
  downSecondsUntil,
  entering,
  minutesSince,
  nextCheckAt,
  rateLimitWaitMs,
  REQUEST_STALE_MS,
  runMatchesDispatch,
} from './watch-policy';

/** What a webhook told us, used instead of asking GitHub. */
export interface Facts {
  run?: WorkflowRunSummary;
  checkRun?: CheckRunSummary;
}

/** What was seen for a step: the run, the tag's commit, CI on it, stage; or nothing to look at. */
export type Observation =
  | { kind: 'none' }
  | { kind: 'run'; run: WorkflowRunSummary | null }
  | { kind: 'commit'; sha: string | null }
  | { kind: 'ci'; check: CheckRunSummary | null; statuses: CommitStatusSummary[] | null }
  | { kind: 'stage'; stage: DeployedVersion };

/** A row change with the notices it posts and its audit entry. */
export interface Write {
  changes: ReleaseChanges;
  notices?: CutNotice[];
  audit?: AuditDraft;
}

/** A step's decision: nothing new (maybe a GitHub failure, maybe details to remember), or a change. */
export type Decision = { kind: 'wait'; error?: GitHubError; changes?: ReleaseChanges } | ({ kind: 'change' } & Write);

/** Everything a decider needs besides the release. */
export interface StepInput {
  settings: Settings;
  webhooks: boolean;
  now: Date;
  /** A train's cutoff (for the end-of-cut summary); absent when unknown. */
  cutoffOf?: (train: number) => Date | null;
}

const PASSED = new Set(['success', 'neutral']);
const WAIT: Decision = { kind: 'wait' };

/** Whether the step for `release` follows the image workflow's run (rather than the tagging workflow's). */
export function isImageState(state: string): boolean {
  return state === 'image_requested' || state === 'image_dispatched';
}

/** When the run of the release's dispatch could have started, at the earliest. */
export function dispatchedSince(release: TagRelease, image: boolean): Date {
  return (image ? release.imageDispatchedAt : (release.dispatchedAt ?? release.requestedAt)) ?? release.stateSince;
}

/** The run a webhook reported, if it is the release's: the one it follows, or (none yet) one matching its dispatch. */
export function runOfFacts(settings: Settings, release: TagRelease, facts: Facts): WorkflowRunSummary | null {
  const image = isImageState(release.state);
  const run = facts.run;
  if (!run) return null;
  const knownId = image ? release.imageRunId : release.runId;
  const matches =
    knownId !== null
      ? BigInt(run.id) === knownId
      : runMatchesDispatch({ settings, run, since: dispatchedSince(release, image), earlierRunIds: release.earlierRunIds });
  return matches ? run : null;
}

/** The CI check a webhook reported, if it is the one on the release's tag. */
export function checkOfFacts(settings: Settings, release: TagRelease, facts: Facts): CheckRunSummary | null {
  const check = facts.checkRun;
  return check && check.name === settings.ciCheckName && check.headSha === release.tagSha ? check : null;
}

/** The newest of the check runs. */
export function latestCheck(runs: CheckRunSummary[]): CheckRunSummary | null {
  return runs.reduce<CheckRunSummary | null>((best, run) => (best === null || run.id > best.id ? run : best), null);
}

/** Where CI stands: from the check run, or without it from CircleCI's statuses; null when nothing is known yet. */
export function ciVerdict(
  check: CheckRunSummary | null,
  statuses: CommitStatusSummary[] | null,
): { status: string; url: string | null; conclusion: string | null } | null {
  if (check)
    return {
      status: check.status,
      url: check.detailsUrl ?? check.htmlUrl,
      conclusion: check.status === 'completed' ? (check.conclusion ?? 'unknown') : null,
    };
  if (!statuses || statuses.length === 0) return null;
  const pending = statuses.some((s) => s.state === 'pending');
  const failed = statuses.some((s) => s.state === 'failure' || s.state === 'error');
  return {
    status: pending ? 'in_progress' : 'completed',
    url: statuses[0]?.targetUrl ?? null,
    conclusion: pending ? null : failed ? 'failure' : 'success',
  };
}

/** Whether CI ended and did not pass (the failing jobs are then listed from every commit status). */
export function ciFailed(verdict: { conclusion: string | null } | null): boolean {
  return verdict?.conclusion != null && !PASSED.has(verdict.conclusion);
}

function failingJobs(statuses: CommitStatusSummary[], check: CheckRunSummary | null, checkName: string): FailingJob[] {
  const jobs = statuses.filter((s) => s.state === 'failure' || s.state === 'error').map((s) => ({ name: s.context, url: s.targetUrl }));
  if (jobs.length > 0) return jobs;
  return [{ name: checkName, url: check?.detailsUrl ?? check?.htmlUrl ?? null }];
}

function runChanges(run: WorkflowRunSummary, image: boolean): ReleaseChanges {
  return image
    ? { imageRunId: BigInt(run.id), imageRunUrl: run.htmlUrl, imageConclusion: run.conclusion }
    : { runId: BigInt(run.id), runUrl: run.htmlUrl, runStatus: run.status, runConclusion: run.conclusion };
}

function sameRun(release: TagRelease, run: WorkflowRunSummary, image: boolean): boolean {
  return image
    ? release.imageRunId === BigInt(run.id) && release.imageConclusion === run.conclusion
    : release.runId === BigInt(run.id) && release.runStatus === run.status && release.runConclusion === run.conclusion;
}

function decideRun(release: TagRelease, run: WorkflowRunSummary | null, image: boolean): Decision {
  if (!run) return WAIT;
  const changes = runChanges(run, image);
  if (release.state === 'requested' || release.state === 'image_requested') {
    // The dispatch is being recorded by whoever made it; just remember the run.
    return sameRun(release, run, image) ? WAIT : { kind: 'change', changes };
  }
  if (run.status !== 'completed') return sameRun(release, run, image) ? WAIT : { kind: 'change', changes };
  const conclusion = run.conclusion ?? 'unknown';
  const { attempt, tag } = release;
  if (image) {
    const ok = conclusion === 'success';
    return {
      kind: 'change',
      changes: { ...changes, state: ok ? 'image_built' : 'image_failed' },
      notices: [
        ok
          ? { kind: 'image-built', tag, attempt, url: run.htmlUrl }
          : { kind: 'image-failed', tag, attempt, url: run.htmlUrl, failure: { kind: 'run-ended', conclusion } },
      ],
      audit: { actor: 'system', action: ok ? 'tag.image-built' : 'tag.image-failed', details: { runId: run.id, conclusion } },
    };
  }
  if (conclusion === 'success') {
    return {
      kind: 'change',
      changes: { ...changes, state: 'run_succeeded' },
      audit: { actor: 'system', action: 'tag.run-succeeded', details: { runId: run.id } },
    };
  }
  return {
    kind: 'change',
    changes: { ...changes, state: 'run_failed' },
    notices: [{ kind: 'run-failed', train: release.train, attempt, releaseId: release.id, runUrl: run.htmlUrl, conclusion }],
    audit: { actor: 'system', action: 'tag.run-failed', details: { runId: run.id, conclusion, url: run.htmlUrl } },
  };
}

/** `requested` / `image_requested` with no news: once stale, the dispatch is taken as sent (never sent again). */
function decideStaleRequest(input: StepInput, release: TagRelease, image: boolean): Decision {
  if (input.now.getTime() - release.stateSince.getTime() < REQUEST_STALE_MS) return WAIT;
  // Whoever took the guard never recorded its dispatch. Never dispatch again: look for a run instead.
  const uncertain = (image ? release.imageRunId : release.runId) === null;
  const { attempt, tag } = release;
  if (image) {
    return {
      kind: 'change',
      changes: { state: 'image_dispatched', imageDispatchedAt: release.stateSince },
      notices: [{ kind: 'image-dispatched', tag, attempt, uncertain }],
      audit: { actor: 'system', action: 'tag.image-dispatch-unconfirmed', details: {} },
    };
  }
  return {
    kind: 'change',
    changes: { state: 'dispatched', dispatchedAt: release.requestedAt, dispatchUncertain: uncertain },
    notices: [{ kind: 'dispatched', train: release.train, tag, sha: release.sourceSha, actor: release.requestedBy, attempt, uncertain }],
    audit: { actor: 'system', action: 'tag.dispatch-unconfirmed', details: { attempt } },
  };
}

function decideTagVisible(input: StepInput, release: TagRelease, sha: string | null): Decision {
  if (!sha) return WAIT;
  const branch = formatBranch(input.settings.branchFormat, release.train);
  return {
    kind: 'change',
    changes: { state: 'tagged', tagSha: sha },
    notices: [{ kind: 'tagged', tag: release.tag, branch, sha, attempt: release.attempt }],
    audit: { actor: 'system', action: 'tag.tagged', details: { sha } },
  };
}

function decideCi(input: StepInput, release: TagRelease, check: CheckRunSummary | null, statuses: CommitStatusSummary[] | null): Decision {
  const verdict = ciVerdict(check, statuses);
  if (!verdict) return WAIT;
  const checkId = check ? BigInt(check.id) : null;
  // A check run older than the one read last (a late delivery about CI before a re-run) says nothing now.
  if (checkId !== null && release.ciCheckId !== null && checkId < release.ciCheckId) return WAIT;
  if (release.state === 'ci_failed') return decideCiAgain(input, release, check, statuses, verdict);
  const { status, url, conclusion } = verdict;
  if (conclusion === null) {
    return release.ciStatus === status && release.ciUrl === url
      ? WAIT
      : { kind: 'change', changes: { ciStatus: status, ciUrl: url, ciCheckId: checkId } };
  }
  const { attempt, tag } = release;
  const round = release.ciRound;
  if (PASSED.has(conclusion)) {
    return {
      kind: 'change',
      changes: { state: 'ci_passed', ciStatus: 'completed', ciConclusion: conclusion, ciUrl: url, ciCheckId: checkId },
      notices: [{ kind: 'ci-passed', tag, url, attempt, round }],
      audit: { actor: 'system', action: 'tag.ci-passed', details: { conclusion, round } },
    };
  }
  const jobs = failingJobs(statuses ?? [], check, input.settings.ciCheckName);
  return {
    kind: 'change',
    changes: {
      state: 'ci_failed',
      ciStatus: 'completed',
      ciConclusion: conclusion,
      ciUrl: url,
      ciCheckId: checkId,
      ciFailures: jobs.map((job) => ({ name: job.name, url: job.url })),
    },
    notices: [{ kind: 'ci-failed', tag, url, attempt, releaseId: release.id, jobs, round }],
    audit: { actor: 'system', action: 'tag.ci-failed', details: { conclusion, jobs: jobs.map((job) => job.name), round } },
  };
}

function sameJobs(recorded: unknown, jobs: FailingJob[]): boolean {
  const known = Array.isArray(recorded) ? recorded : [];
  const key = (list: unknown[]) =>
    JSON.stringify(
      list
        .map((job) => (typeof job === 'object' && job !== null ? [String(Reflect.get(job, 'name')), String(Reflect.get(job, 'url'))] : []))
        .sort(),
    );
  return key(known) === key(jobs);
}

/**
 * CI after a failure: GitHub's answer now is the result. A re-run running moves the cut back to "CI running",
 * a pass moves it on (to images and stage), a new failure (another check run, or other failing jobs) is a new
 * round with its own notice; the failure already reported (or an older check run) changes nothing.
 */
function decideCiAgain(
  input: StepInput,
  release: TagRelease,
  check: CheckRunSummary | null,
  statuses: CommitStatusSummary[] | null,
  verdict: { status: string; url: string | null; conclusion: string | null },
): Decision {
  const checkId = check ? BigInt(check.id) : null;
  const { status, url, conclusion } = verdict;
  const { attempt, tag } = release;
  const round = release.ciRound + 1;
  const fresh = { ciRound: round, ciUrl: url, ciCheckId: checkId, lastError: null };
  if (conclusion === null) {
    return {
      kind: 'change',
      changes: { ...fresh, state: 'tagged', ciStatus: status, ciConclusion: null },
      notices: [{ kind: 'ci-rerun', tag, url, attempt, round }],
      audit: { actor: 'system', action: 'tag.ci-rerun', details: { round } },
    };
  }
  if (PASSED.has(conclusion)) {
    return {
      kind: 'change',
      changes: { ...fresh, state: 'ci_passed', ciStatus: 'completed', ciConclusion: conclusion },
      notices: [{ kind: 'ci-passed', tag, url, attempt, round }],
      audit: { actor: 'system', action: 'tag.ci-passed', details: { conclusion, round } },
    };
  }
  const jobs = failingJobs(statuses ?? [], check, input.settings.ciCheckName);
  const sameFailure = checkId !== null ? release.ciCheckId === null || release.ciCheckId === checkId : sameJobs(release.ciFailures, jobs);
  if (sameFailure) return WAIT;
  return {
    kind: 'change',
    changes: {
      ...fresh,
      ciStatus: 'completed',
      ciConclusion: conclusion,
      ciFailures: jobs.map((job) => ({ name: job.name, url: job.url })),
      // A new failure gets its own answer (an issue, or known flaky) and its own re-run.
      flakyBy: null,
      flakyAt: null,
      issueBy: null,
      issueNumber: null,
      issueUrl: null,
    },
    notices: [{ kind: 'ci-failed', tag, url, attempt, releaseId: release.id, jobs, round }],
    audit: { actor: 'system', action: 'tag.ci-failed', details: { conclusion, jobs: jobs.map((job) => job.name), round } },
  };
}

/** The end-of-cut summary of a train's cut (patch 0), once it reaches `reached`. */
export function summaryOf(input: StepInput, release: TagRelease, reached: 'stage' | 'production'): CutSummary {
  const { now } = input;
  // Each round after the first follows a failure (the summary is written once CI passed).
  const failed = release.ciRound - 1;
  return {
    train: release.train,
    tag: release.tag,
    ciRounds: release.ciRound,
    failedRounds: Math.max(0, failed),
    flakyBy: release.flakyBy,
    issue: release.issueNumber !== null && release.issueUrl ? { number: release.issueNumber, url: release.issueUrl } : null,
    rerunBy: release.rerunBy,
    cutoff: input.cutoffOf?.(release.train) ?? null,
    onStageAt: release.onStageAt ?? (reached === 'stage' ? now : null),
    productionAt: reached === 'production' ? now : release.productionAt,
    reached,
  };
}

function summaryNotices(input: StepInput, release: TagRelease, reached: 'stage' | 'production'): CutNotice[] {
  if (release.patch !== 0 || input.settings.milestones.summaryAt !== reached) return [];
  return [{ kind: 'summary', summary: summaryOf(input, release, reached), attempt: release.attempt }];
}

function decideStage(input: StepInput, release: TagRelease, stage: DeployedVersion): Decision {
  if (!stage.ok) return release.lastError === stage.reason ? WAIT : { kind: 'wait', changes: { lastError: stage.reason } };
  const arrived =
    stage.version === normaliseVersion(release.tag) ||
    (stage.train === release.train && stage.patch !== null && stage.patch >= release.patch);
  if (!arrived) return { kind: 'wait', changes: { stageVersion: stage.version, lastError: null } };
  return {
    kind: 'change',
    changes: { state: 'on_stage', stageVersion: stage.version, lastError: null, onStageAt: input.now },
    notices: [
      { kind: 'on-stage', train: release.train, tag: release.tag, version: stage.version, attempt: release.attempt },
      ...summaryNotices(input, release, 'stage'),
    ],
    audit: { actor: 'system', action: 'tag.on-stage', details: { version: stage.version } },
  };
}

/** On stage, until production reports the release (or a later patch of its train). */
function decideProduction(input: StepInput, release: TagRelease, production: DeployedVersion): Decision {
  if (!production.ok) return release.lastError === production.reason ? WAIT : { kind: 'wait', changes: { lastError: production.reason } };
  const arrived =
    production.version === normaliseVersion(release.tag) ||
    (production.train === release.train && production.patch !== null && production.patch >= release.patch);
  if (!arrived) return release.lastError === null ? WAIT : { kind: 'wait', changes: { lastError: null } };
  const { train, tag, attempt } = release;
  // Production runs a later patch of the train: that patch's own release says "reached production" (once, not once per release).
  const reached: CutNotice[] =
    production.version === normaliseVersion(tag) ? [{ kind: 'in-production', train, tag, version: production.version, attempt }] : [];
  return {
    kind: 'change',
    changes: { state: 'in_production', productionVersion: production.version, productionAt: input.now, lastError: null },
    notices: [...reached, ...summaryNotices(input, release, 'production')],
    audit: { actor: 'system', action: 'tag.in-production', details: { version: production.version } },
  };
}

/** The step for `release`, given what was seen. */
export function decideStep(input: StepInput, release: TagRelease, seen: Observation): Decision {
  switch (seen.kind) {
    case 'run':
      return decideRun(release, seen.run, isImageState(release.state));
    case 'commit':
      return decideTagVisible(input, release, seen.sha);
    case 'ci':
      return decideCi(input, release, seen.check, seen.statuses);
    case 'stage':
      return seen.stage.environment === 'production'
        ? decideProduction(input, release, seen.stage)
        : decideStage(input, release, seen.stage);
    case 'none':
      if (release.state === 'requested' || release.state === 'image_requested')
        return decideStaleRequest(input, release, release.state === 'image_requested');
      return WAIT;
  }
}

function lateNotice(release: TagRelease, now: Date): TagNotice {
  const { state, train, tag, runUrl, imageRunUrl, ciUrl, stageVersion } = release;
  return {
    kind: 'late',
    attempt: release.attempt,
    round: release.ciRound,
    lateness: { state, train, tag, minutes: minutesSince(release.stateSince, now), runUrl, imageRunUrl, ciUrl, stageVersion },
  };
}

/**
 * A look that GitHub failed: nothing is concluded from it (no "missing", no lateness, no giving up). When a
 * deadline comes meanwhile, the thread is told once per outage that GitHub is not answering; the watch goes on.
 */
function decideUnread(input: StepInput, release: TagRelease, base: ReleaseChanges, atLeastMs: number, error: GitHubError): Write {
  const { settings, now, webhooks } = input;
  const since = release.githubDownSince ?? now;
  const { lateAt, giveUpAt } = deadlinesOf(settings, release);
  const due = now >= giveUpAt || (lateAt !== null && now >= lateAt && release.overdueReportedAt === null);
  const polled = { ...release, polls: release.polls + 1 };
  const changes: ReleaseChanges = {
    ...base,
    githubDownSince: since,
    polls: polled.polls,
    nextCheckAt: nextCheckAt({ settings, webhooks, release: polled, now, atLeastMs }),
  };
  if (!due) return { changes };
  const { attempt, tag, state } = release;
  return {
    changes,
    notices: [{ kind: 'github-down', state, tag, attempt, since, minutes: minutesSince(since, now), reason: error.userMessage }],
  };
}

/** What a look without news leads to: lateness reported (once), giving up, or just the next look. */
export function decideQuiet(input: StepInput, release: TagRelease, base: ReleaseChanges, atLeastMs: number): Write {
  const { settings, now, webhooks } = input;
  const { lateAt, giveUpAt } = deadlinesOf(settings, release);
  const { attempt, tag } = release;
  if (now >= giveUpAt && QUIET_WATCH_STATES.has(release.state as TagState)) {
    // Waiting for people (a re-run, a deploy to production): the watch just stops; nothing is late.
    return { changes: { ...base, nextCheckAt: null } };
  }
  if (now >= giveUpAt) {
    const state = timeoutStateOf(release.state as TagState);
    return {
      changes: { ...base, state, nextCheckAt: null },
      notices: [{ kind: 'gave-up', state: release.state, timeoutState: state, tag, hours: settings.tagWatch.giveUpHours, attempt }],
      audit: { actor: 'system', action: 'tag.gave-up', details: { state: release.state } },
    };
  }
  if (lateAt && now >= lateAt && release.overdueReportedAt === null) {
    const minutes = minutesSince(release.stateSince, now);
    if (release.state === 'dispatched' && release.runId === null) {
      return {
        changes: { ...base, state: 'run_missing', nextCheckAt: null },
        notices: [{ kind: 'run-missing', train: release.train, attempt, releaseId: release.id, minutes }],
        audit: { actor: 'system', action: 'tag.run-missing', details: { attempt } },
      };
    }
    if (release.state === 'image_dispatched' && release.imageRunId === null) {
      return {
        changes: { ...base, state: 'image_failed', nextCheckAt: null },
        notices: [
          { kind: 'image-failed', tag, attempt, url: null, failure: { kind: 'no-run', workflow: settings.imageWorkflow, minutes } },
        ],
        audit: { actor: 'system', action: 'tag.image-missing', details: {} },
      };
    }
    if (release.state !== 'requested' && release.state !== 'image_requested') {
      const reported = { ...release, overdueReportedAt: now, polls: release.polls + 1 };
      return {
        changes: {
          ...base,
          overdueReportedAt: now,
          polls: release.polls + 1,
          nextCheckAt: nextCheckAt({ settings, webhooks, release: reported, now, atLeastMs }),
        },
        notices: [lateNotice(release, now)],
      };
    }
  }
  const polled = { ...release, polls: release.polls + 1 };
  return { changes: { ...base, polls: polled.polls, nextCheckAt: nextCheckAt({ settings, webhooks, release: polled, now, atLeastMs }) } };
}

/** A run id as it will be after `change` (an update input: a value, null, or absent). */
function bigintOr(change: unknown, current: bigint | null): bigint | null {
  if (change === undefined) return current;
  if (change === null) return null;
  if (typeof change === 'bigint') return change;
  if (typeof change === 'number') return BigInt(change);
  return current;
}

/**
 * What to write for a decision: the change with the next look (the poll
 * count and lateness handled), or for a wait what `decideQuiet` says.
 * Null when nothing is written (a webhook that brought no news).
 */
export function settle(input: StepInput, read: TagRelease, decision: Decision, viaEvent: boolean): Write | null {
  const { now, settings, webhooks } = input;
  // GitHub answered a look after failing: the outage ends, and the state's deadlines move back by its length.
  const recovered = !viaEvent && !(decision.kind === 'wait' && decision.error) && read.githubDownSince !== null;
  const release: TagRelease = recovered
    ? { ...read, githubDownSince: null, githubDownSeconds: read.githubDownSeconds + downSecondsUntil(read, now) }
    : read;
  const outageEnd: ReleaseChanges = recovered ? { githubDownSince: null, githubDownSeconds: release.githubDownSeconds } : {};
  if (decision.kind === 'change') {
    const state = decision.changes.state ?? (release.state as TagState);
    const changes: ReleaseChanges = { ...outageEnd, ...decision.changes, lastError: decision.changes.lastError ?? null };
    if (state !== release.state) {
      // A new state's deadlines start whole.
      if (recovered) changes.githubDownSeconds = 0;
      const entered: TagRelease = {
        ...entering(release, state, now),
        runId: bigintOr(decision.changes.runId, release.runId),
        imageRunId: bigintOr(decision.changes.imageRunId, release.imageRunId),
      };
      if (!('nextCheckAt' in decision.changes)) changes.nextCheckAt = nextCheckAt({ settings, webhooks, release: entered, now });
    } else if (!viaEvent && !('nextCheckAt' in decision.changes)) {
      const polled = { ...release, polls: release.polls + 1 };
      changes.polls = polled.polls;
      changes.nextCheckAt = nextCheckAt({ settings, webhooks, release: polled, now });
    }
    return { changes, ...(decision.notices ? { notices: decision.notices } : {}), ...(decision.audit ? { audit: decision.audit } : {}) };
  }
  if (viaEvent) return null;
  const { error } = decision;
  const atLeastMs = error instanceof GitHubRateLimitedError ? rateLimitWaitMs(error.retryAfterSeconds) : 0;
  const base: ReleaseChanges = { ...outageEnd, ...(decision.changes ?? {}), ...(error ? { lastError: error.message.slice(0, 500) } : {}) };
  return error ? decideUnread(input, release, base, atLeastMs, error) : decideQuiet(input, release, base, atLeastMs);
}
