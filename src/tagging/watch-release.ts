/**
 * Advancing a release through its states, one step at a time. A step reads
 * what it needs (from GitHub or stage, or from a webhook's payload: "facts"),
 * decides, and writes its change conditionally (release-store.ts): steps are
 * idempotent and two replicas never both apply one. Polling backs off while
 * nothing happens, respects GitHub's rate limits, and reports lateness once
 * per state; with webhooks configured GitHub is polled only as a safety net.
 */
import type { AppDeps } from '../deps';
import type { Settings } from '../config';
import { readDeployedVersion } from '../environments/deployed-versions';
import { GitHubError, GitHubRateLimitedError } from '../github/errors';
import type { CheckRunSummary, CommitStatusSummary, WorkflowRunSummary } from '../github/client';
import type { Logger } from '../logger';
import { formatBranch, normaliseVersion } from '../train/versions';
import { applyChanges, type AuditDraft, type NoticeDraft, type ReleaseChanges, type TagRelease } from './release-store';
import { describeState, timeoutStateOf, WATCHED_STATES, type TagState } from './states';
import { dispatchImage } from './dispatch';
import {
  ciFailedNotice,
  ciPassedNotice,
  dispatchedNotice,
  imageDispatchedNotice,
  imageDoneNotice,
  onStageNotice,
  overdueNotice,
  runFailedNotice,
  runMissingNotice,
  taggedNotice,
  type FailingJob,
} from './tag-view';

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

/** What a webhook told us, used instead of asking GitHub. */
export interface Facts {
  run?: WorkflowRunSummary;
  checkRun?: CheckRunSummary;
}

type Outcome = { kind: 'wait'; error?: GitHubError; changes?: ReleaseChanges } | { kind: 'change'; changes: ReleaseChanges; notices?: NoticeDraft[]; audit?: AuditDraft };

interface StepContext {
  deps: AppDeps;
  settings: Settings;
  now: Date;
  webhooks: boolean;
  logger: Logger;
}

/** States whose news GitHub sends as webhooks; with webhooks configured they are polled only as a safety net. */
const WEBHOOK_STATES: ReadonlySet<string> = new Set(['dispatched', 'tagged', 'image_dispatched']);
/** States whose step runs at once after the change that led to them. */
const CHAINED: ReadonlySet<string> = new Set(['run_succeeded']);

const PASSED = new Set(['success', 'neutral']);

export function webhooksConfigured(deps: AppDeps): boolean {
  return Boolean(deps.config.env.GITHUB_WEBHOOK_SECRET);
}

function waitingForStage(state: string, settings: Settings): boolean {
  return state === 'image_built' || (state === 'ci_passed' && !settings.dispatchImageWorkflow);
}

/** Wait before the next look: doubling from `pollMinutes` to `maxPollMinutes`, or the webhook safety interval. */
export function pollIntervalMs(settings: Settings, webhooks: boolean, state: string, polls: number): number {
  const watch = settings.tagWatch;
  if (webhooks && WEBHOOK_STATES.has(state)) return watch.webhookPollMinutes * MINUTE;
  return Math.min(watch.pollMinutes * 2 ** Math.min(polls, 20), watch.maxPollMinutes) * MINUTE;
}

/** When the current state is late (reported once), and when the watch gives up on it. */
export function deadlinesOf(settings: Settings, release: TagRelease): { lateAt: Date | null; giveUpAt: Date } {
  const watch = settings.tagWatch;
  const since = release.stateSince.getTime();
  const after = (minutes: number) => new Date(since + minutes * MINUTE);
  const giveUpAt = new Date(since + watch.giveUpHours * 60 * MINUTE);
  switch (release.state) {
    case 'requested':
    case 'image_requested':
      return { lateAt: new Date(since + REQUEST_STALE_MS), giveUpAt };
    case 'dispatched':
      return { lateAt: after(release.runId === null ? watch.runAppearMinutes : watch.runMinutes), giveUpAt };
    case 'image_dispatched':
      return { lateAt: after(release.imageRunId === null ? watch.runAppearMinutes : watch.runMinutes), giveUpAt };
    case 'run_succeeded':
      return { lateAt: after(watch.runAppearMinutes), giveUpAt };
    case 'tagged':
      return { lateAt: after(watch.ciMinutes), giveUpAt };
    default:
      return { lateAt: waitingForStage(release.state, settings) ? after(watch.stageMinutes) : null, giveUpAt };
  }
}

/** When to look next: the next poll, or the next deadline if sooner; null when there is nothing to watch. */
export function nextCheckAt(options: { settings: Settings; webhooks: boolean; release: TagRelease; now: Date; atLeastMs?: number }): Date | null {
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

function minutesSince(since: Date, now: Date): number {
  return Math.round((now.getTime() - since.getTime()) / MINUTE);
}

// --- reading GitHub -------------------------------------------------------------

/** The run a dispatch started: the oldest `workflow_dispatch` run on the main branch created since, not claimed by another release. */
async function findDispatchedRun(ctx: StepContext, release: TagRelease, workflow: string, since: Date): Promise<WorkflowRunSummary | null> {
  const from = new Date(since.getTime() - CLOCK_SKEW_MS);
  const runs = await ctx.deps.github.listWorkflowRuns({ workflow, event: 'workflow_dispatch', createdFrom: from });
  const candidates = runs
    .filter((run) => runMatchesDispatch({ settings: ctx.settings, run, since }))
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id);
  if (candidates.length === 0) return null;
  const ids = candidates.map((run) => BigInt(run.id));
  const taken = await ctx.deps.db.prisma.tagRelease.findMany({
    where: { id: { not: release.id }, OR: [{ runId: { in: ids } }, { imageRunId: { in: ids } }] },
    select: { runId: true, imageRunId: true },
  });
  const claimed = new Set(taken.flatMap((row) => [row.runId, row.imageRunId]).filter((id): id is bigint => id !== null).map(Number));
  const free = candidates.filter((run) => !claimed.has(run.id));
  if (free.length > 1) {
    ctx.logger.warn({ tag: release.tag, runs: free.map((run) => run.id) }, `tagging: several runs of ${workflow} started after the dispatch; following the first`);
  }
  return free[0] ?? null;
}

/** The run a dispatch of `workflow` at `since` started, if one can be seen now. @throws GitHubError */
export function findRunOfDispatch(options: { deps: AppDeps; release: TagRelease; workflow: string; since: Date; now: Date }): Promise<WorkflowRunSummary | null> {
  const { deps } = options;
  const ctx: StepContext = { deps, settings: deps.config.settings, now: options.now, webhooks: webhooksConfigured(deps), logger: deps.logger.child({ module: 'tagging' }) };
  return findDispatchedRun(ctx, options.release, options.workflow, options.since);
}

/** Does a run (from a webhook) belong to this release's dispatch of `workflow`? */
export function runMatchesDispatch(options: { settings: Settings; run: WorkflowRunSummary; since: Date }): boolean {
  const { run, settings } = options;
  return (
    run.event === 'workflow_dispatch' && run.headBranch === settings.mainBranch && Date.parse(run.createdAt) >= options.since.getTime() - CLOCK_SKEW_MS
  );
}

function failingJobs(statuses: CommitStatusSummary[], check: CheckRunSummary | null, checkName: string): FailingJob[] {
  const jobs = statuses.filter((s) => s.state === 'failure' || s.state === 'error').map((s) => ({ name: s.context, url: s.targetUrl }));
  if (jobs.length > 0) return jobs;
  return [{ name: checkName, url: check?.detailsUrl ?? check?.htmlUrl ?? null }];
}

function latest(runs: CheckRunSummary[]): CheckRunSummary | null {
  return runs.reduce<CheckRunSummary | null>((best, run) => (best === null || run.id > best.id ? run : best), null);
}

// --- the steps ------------------------------------------------------------------

function runChanges(release: TagRelease, run: WorkflowRunSummary, image: boolean): ReleaseChanges {
  return image
    ? { imageRunId: BigInt(run.id), imageRunUrl: run.htmlUrl, imageConclusion: run.conclusion }
    : { runId: BigInt(run.id), runUrl: run.htmlUrl, runStatus: run.status, runConclusion: run.conclusion };
}

function sameRun(release: TagRelease, run: WorkflowRunSummary, image: boolean): boolean {
  return image
    ? release.imageRunId === BigInt(run.id) && release.imageConclusion === run.conclusion
    : release.runId === BigInt(run.id) && release.runStatus === run.status && release.runConclusion === run.conclusion;
}

async function stepRun(ctx: StepContext, release: TagRelease, facts: Facts | undefined, image: boolean): Promise<Outcome> {
  const { settings, deps } = ctx;
  const workflow = image ? settings.imageWorkflow : settings.tagWorkflow;
  const knownId = image ? release.imageRunId : release.runId;
  const since = (image ? release.imageDispatchedAt : (release.dispatchedAt ?? release.requestedAt)) ?? release.stateSince;
  let run: WorkflowRunSummary | null;
  if (facts) {
    run = facts.run ?? null;
    if (!run) return { kind: 'wait' };
    if (knownId !== null ? BigInt(run.id) !== knownId : !runMatchesDispatch({ settings, run, since })) return { kind: 'wait' };
  } else {
    run = knownId !== null ? await deps.github.getWorkflowRun(Number(knownId)) : await findDispatchedRun(ctx, release, workflow, since);
  }
  if (!run) return { kind: 'wait' };
  const changes = runChanges(release, run, image);
  if (release.state === 'requested' || release.state === 'image_requested') {
    // The dispatch is being recorded by whoever made it; just remember the run.
    return sameRun(release, run, image) ? { kind: 'wait' } : { kind: 'change', changes };
  }
  if (run.status !== 'completed') return sameRun(release, run, image) ? { kind: 'wait' } : { kind: 'change', changes };
  const conclusion = run.conclusion ?? 'unknown';
  const attempt = release.attempt;
  if (image) {
    const ok = conclusion === 'success';
    return {
      kind: 'change',
      changes: { ...changes, state: ok ? 'image_built' : 'image_failed' },
      notices: [imageDoneNotice({ settings, tag: release.tag, attempt, ok, url: run.htmlUrl, detail: `the run ended with ${conclusion}` })],
      audit: { actor: 'system', action: ok ? 'tag.image-built' : 'tag.image-failed', details: { runId: run.id, conclusion } },
    };
  }
  if (conclusion === 'success') {
    return { kind: 'change', changes: { ...changes, state: 'run_succeeded' }, audit: { actor: 'system', action: 'tag.run-succeeded', details: { runId: run.id } } };
  }
  return {
    kind: 'change',
    changes: { ...changes, state: 'run_failed' },
    notices: [runFailedNotice({ train: release.train, attempt, releaseId: release.id, runUrl: run.htmlUrl, conclusion })],
    audit: { actor: 'system', action: 'tag.run-failed', details: { runId: run.id, conclusion, url: run.htmlUrl } },
  };
}

async function stepRequested(ctx: StepContext, release: TagRelease, facts: Facts | undefined, image: boolean): Promise<Outcome> {
  if (facts) return stepRun(ctx, release, facts, image);
  if (ctx.now.getTime() - release.stateSince.getTime() < REQUEST_STALE_MS) return { kind: 'wait' };
  // Whoever took the guard never recorded its dispatch. Never dispatch again: look for a run instead.
  const knownRun = (image ? release.imageRunId : release.runId) !== null;
  const uncertain = !knownRun;
  if (image) {
    return {
      kind: 'change',
      changes: { state: 'image_dispatched', imageDispatchedAt: release.stateSince },
      notices: [imageDispatchedNotice({ settings: ctx.settings, tag: release.tag, attempt: release.attempt, uncertain })],
      audit: { actor: 'system', action: 'tag.image-dispatch-unconfirmed', details: {} },
    };
  }
  return {
    kind: 'change',
    changes: { state: 'dispatched', dispatchedAt: release.requestedAt, dispatchUncertain: uncertain },
    notices: [
      dispatchedNotice({
        settings: ctx.settings,
        train: release.train,
        tag: release.tag,
        sha: release.sourceSha,
        actor: release.requestedBy,
        attempt: release.attempt,
        uncertain,
      }),
    ],
    audit: { actor: 'system', action: 'tag.dispatch-unconfirmed', details: { attempt: release.attempt } },
  };
}

async function stepRunSucceeded(ctx: StepContext, release: TagRelease): Promise<Outcome> {
  const commit = await ctx.deps.github.getCommit(release.tag);
  if (!commit) return { kind: 'wait' };
  return {
    kind: 'change',
    changes: { state: 'tagged', tagSha: commit.sha },
    notices: [
      taggedNotice({ settings: ctx.settings, tag: release.tag, branch: formatBranch(ctx.settings.branchFormat, release.train), sha: commit.sha, attempt: release.attempt }),
    ],
    audit: { actor: 'system', action: 'tag.tagged', details: { sha: commit.sha } },
  };
}

async function stepTagged(ctx: StepContext, release: TagRelease, facts: Facts | undefined): Promise<Outcome> {
  const { deps, settings } = ctx;
  const sha = release.tagSha;
  if (!sha) return { kind: 'wait' };
  let check: CheckRunSummary | null;
  let statuses: CommitStatusSummary[] | null = null;
  if (facts) {
    check = facts.checkRun && facts.checkRun.name === settings.ciCheckName && facts.checkRun.headSha === sha ? facts.checkRun : null;
    if (!check) return { kind: 'wait' };
  } else {
    check = latest(((await deps.github.listCheckRuns({ ref: sha, checkName: settings.ciCheckName })) ?? []).filter((run) => run.headSha === sha));
    // Without the check run, CircleCI's job statuses (`ci/circleci: …`) may tell.
    if (!check) statuses = (await deps.github.listCommitStatuses(sha)).filter((s) => s.context.startsWith('ci/circleci'));
  }
  let conclusion: string | null = null;
  let status: string;
  let url: string | null;
  if (check) {
    status = check.status;
    url = check.detailsUrl ?? check.htmlUrl;
    if (check.status === 'completed') conclusion = check.conclusion ?? 'unknown';
  } else {
    if (!statuses || statuses.length === 0) return { kind: 'wait' };
    const pending = statuses.some((s) => s.state === 'pending');
    status = pending ? 'in_progress' : 'completed';
    url = statuses[0]?.targetUrl ?? null;
    if (!pending) conclusion = statuses.some((s) => s.state === 'failure' || s.state === 'error') ? 'failure' : 'success';
  }
  if (conclusion === null) {
    return release.ciStatus === status && release.ciUrl === url ? { kind: 'wait' } : { kind: 'change', changes: { ciStatus: status, ciUrl: url } };
  }
  const attempt = release.attempt;
  if (PASSED.has(conclusion)) {
    return {
      kind: 'change',
      changes: { state: 'ci_passed', ciStatus: 'completed', ciConclusion: conclusion, ciUrl: url },
      notices: [ciPassedNotice({ settings, tag: release.tag, url, attempt })],
      audit: { actor: 'system', action: 'tag.ci-passed', details: { conclusion } },
    };
  }
  if (statuses === null) {
    try {
      statuses = await deps.github.listCommitStatuses(sha);
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      ctx.logger.warn({ err: error, tag: release.tag }, 'tagging: could not read the commit statuses of a failed CI; listing the check run only');
      statuses = [];
    }
  }
  const jobs = failingJobs(statuses, check, settings.ciCheckName);
  return {
    kind: 'change',
    changes: { state: 'ci_failed', ciStatus: 'completed', ciConclusion: conclusion, ciUrl: url, ciFailures: jobs.map((job) => ({ name: job.name, url: job.url })) },
    notices: [ciFailedNotice({ settings, tag: release.tag, url, attempt, releaseId: release.id, jobs })],
    audit: { actor: 'system', action: 'tag.ci-failed', details: { conclusion, jobs: jobs.map((job) => job.name) } },
  };
}

async function stepStage(ctx: StepContext, release: TagRelease): Promise<Outcome> {
  const { settings } = ctx;
  const stage = await readDeployedVersion({ environment: 'stage', url: settings.stageVersionUrl, tagFormat: settings.tagFormat });
  if (!stage.ok) return release.lastError === stage.reason ? { kind: 'wait' } : { kind: 'wait', changes: { lastError: stage.reason } };
  const arrived =
    stage.version === normaliseVersion(release.tag) || (stage.train === release.train && stage.patch !== null && stage.patch >= release.patch);
  if (!arrived) return { kind: 'wait', changes: { stageVersion: stage.version, lastError: null } };
  return {
    kind: 'change',
    changes: { state: 'on_stage', stageVersion: stage.version, lastError: null },
    notices: [onStageNotice({ train: release.train, tag: release.tag, version: stage.version, attempt: release.attempt })],
    audit: { actor: 'system', action: 'tag.on-stage', details: { version: stage.version } },
  };
}

function stepFor(ctx: StepContext, release: TagRelease, facts: Facts | undefined): Promise<Outcome> {
  switch (release.state) {
    case 'requested':
      return stepRequested(ctx, release, facts, false);
    case 'image_requested':
      return stepRequested(ctx, release, facts, true);
    case 'dispatched':
      return stepRun(ctx, release, facts, false);
    case 'image_dispatched':
      return stepRun(ctx, release, facts, true);
    case 'run_succeeded':
      return facts ? Promise.resolve({ kind: 'wait' }) : stepRunSucceeded(ctx, release);
    case 'tagged':
      return stepTagged(ctx, release, facts);
    default:
      if (!facts && waitingForStage(release.state, ctx.settings)) return stepStage(ctx, release);
      return Promise.resolve({ kind: 'wait' });
  }
}

// --- lateness -------------------------------------------------------------------

function lateText(ctx: StepContext, release: TagRelease): string {
  const { now } = ctx;
  const minutes = minutesSince(release.stateSince, now);
  switch (release.state) {
    case 'dispatched':
      return `The tagging run for train ${release.train} has been going for ${minutes} minutes${release.runUrl ? ` (<${release.runUrl}|run>)` : ''}. I'll keep following it.`;
    case 'image_dispatched':
      return `The image build of \`${release.tag}\` has been going for ${minutes} minutes${release.imageRunUrl ? ` (<${release.imageRunUrl}|run>)` : ''}.`;
    case 'run_succeeded':
      return `The tagging run for train ${release.train} succeeded ${minutes} minutes ago, but I can't see the tag \`${release.tag}\` yet. I'll keep looking.`;
    case 'tagged':
      return `CI on \`${release.tag}\` has not finished after ${minutes} minutes${release.ciUrl ? ` (<${release.ciUrl}|CI>)` : ''}. I'll keep watching and post the result here.`;
    default:
      return (
        `Train ${release.train} is not on stage yet, ${minutes} minutes after ${release.state === 'image_built' ? 'its images were built' : 'CI passed'}` +
        `${release.stageVersion ? ` (stage reports \`${release.stageVersion}\`)` : ''}. I'll keep checking.`
      );
  }
}

/** What a look without news leads to: lateness reported (once), giving up, or just the next look. */
function onQuiet(ctx: StepContext, release: TagRelease, base: ReleaseChanges, atLeastMs: number): { changes: ReleaseChanges; notices?: NoticeDraft[]; audit?: AuditDraft } {
  const { settings, now, webhooks } = ctx;
  const { lateAt, giveUpAt } = deadlinesOf(settings, release);
  const attempt = release.attempt;
  if (now >= giveUpAt) {
    const state = timeoutStateOf(release.state as TagState);
    return {
      changes: { ...base, state, nextCheckAt: null },
      notices: [overdueNotice({ key: `${state}#${attempt}`, text: `Stopped watching after ${settings.tagWatch.giveUpHours} hours: ${describeState(release.state, release.tag)}.` })],
      audit: { actor: 'system', action: 'tag.gave-up', details: { state: release.state } },
    };
  }
  if (lateAt && now >= lateAt && release.overdueReportedAt === null) {
    if (release.state === 'dispatched' && release.runId === null) {
      return {
        changes: { ...base, state: 'run_missing', nextCheckAt: null },
        notices: [runMissingNotice({ settings, train: release.train, attempt, releaseId: release.id, minutes: minutesSince(release.stateSince, now) })],
        audit: { actor: 'system', action: 'tag.run-missing', details: { attempt } },
      };
    }
    if (release.state === 'image_dispatched' && release.imageRunId === null) {
      return {
        changes: { ...base, state: 'image_failed', nextCheckAt: null },
        notices: [imageDoneNotice({ settings, tag: release.tag, attempt, ok: false, url: null, detail: `no run of ${settings.imageWorkflow} appeared within ${minutesSince(release.stateSince, now)} minutes` })],
        audit: { actor: 'system', action: 'tag.image-missing', details: {} },
      };
    }
    if (release.state !== 'requested' && release.state !== 'image_requested') {
      const reported = { ...release, overdueReportedAt: now, polls: release.polls + 1 };
      return {
        changes: { ...base, overdueReportedAt: now, polls: release.polls + 1, nextCheckAt: nextCheckAt({ settings, webhooks, release: reported, now, atLeastMs }) },
        notices: [overdueNotice({ key: `late:${release.state}#${attempt}`, text: lateText(ctx, release) })],
      };
    }
  }
  const polled = { ...release, polls: release.polls + 1 };
  return { changes: { ...base, polls: polled.polls, nextCheckAt: nextCheckAt({ settings, webhooks, release: polled, now, atLeastMs }) } };
}

// --- applying a step -------------------------------------------------------------

/** A run id as it will be after `change` (an update input: a value, null, or absent). */
function bigintOr(change: unknown, current: bigint | null): bigint | null {
  if (change === undefined) return current;
  if (change === null) return null;
  if (typeof change === 'bigint') return change;
  if (typeof change === 'number') return BigInt(change);
  return current;
}

async function commit(ctx: StepContext, release: TagRelease, outcome: Outcome, viaEvent: boolean): Promise<TagRelease | null> {
  const { deps, now, settings, webhooks } = ctx;
  if (outcome.kind === 'change') {
    const state = outcome.changes.state ?? (release.state as TagState);
    const changesState = state !== release.state;
    const changes: ReleaseChanges = { ...outcome.changes, lastError: outcome.changes.lastError ?? null };
    if (changesState) {
      const entered: TagRelease = {
        ...release,
        state,
        stateSince: now,
        polls: 0,
        overdueReportedAt: null,
        runId: bigintOr(outcome.changes.runId, release.runId),
        imageRunId: bigintOr(outcome.changes.imageRunId, release.imageRunId),
      };
      if (!('nextCheckAt' in outcome.changes)) changes.nextCheckAt = nextCheckAt({ settings, webhooks, release: entered, now });
    } else if (!viaEvent && !('nextCheckAt' in outcome.changes)) {
      const polled = { ...release, polls: release.polls + 1 };
      changes.polls = polled.polls;
      changes.nextCheckAt = nextCheckAt({ settings, webhooks, release: polled, now });
    }
    return applyChanges({ prisma: deps.db.prisma, release, now, changes, ...(outcome.notices ? { notices: outcome.notices } : {}), ...(outcome.audit ? { audit: outcome.audit } : {}) });
  }
  if (viaEvent) return release;
  const error = outcome.error;
  const atLeastMs = error instanceof GitHubRateLimitedError ? (error.retryAfterSeconds ?? 5 * 60) * 1000 : 0;
  const base: ReleaseChanges = { ...(outcome.changes ?? {}), ...(error ? { lastError: error.message.slice(0, 500) } : {}) };
  const quiet = onQuiet(ctx, release, base, atLeastMs);
  return applyChanges({ prisma: deps.db.prisma, release, now, changes: quiet.changes, ...(quiet.notices ? { notices: quiet.notices } : {}), ...(quiet.audit ? { audit: quiet.audit } : {}) });
}

/**
 * Takes one step for `release` (and the steps that follow at once, such as
 * looking for the tag right after the run succeeded). With `facts` (a webhook)
 * nothing is asked of GitHub for that first step. Returns the release as it
 * now is, or null when another process changed it meanwhile.
 * @throws GitHubRateLimitedError when GitHub limits the bot (after recording the wait)
 */
export async function advanceRelease(options: { deps: AppDeps; release: TagRelease; now: Date; facts?: Facts }): Promise<TagRelease | null> {
  const { deps, now } = options;
  const ctx: StepContext = { deps, settings: deps.config.settings, now, webhooks: webhooksConfigured(deps), logger: deps.logger.child({ module: 'tagging' }) };
  let current = options.release;
  let facts = options.facts;
  const image = ctx.settings.dispatchImageWorkflow;
  for (let step = 0; step < 4; step++) {
    // CI passed and images are built by a workflow: dispatch it (the move to `image_requested` is its guard).
    if (current.state === 'ci_passed' && image) return facts ? current : dispatchImage({ deps, release: current, now });
    let outcome: Outcome;
    try {
      outcome = await stepFor(ctx, current, facts);
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      ctx.logger.warn({ err: error, tag: current.tag, state: current.state }, 'tagging: GitHub failed during a watch step; backing off');
      outcome = { kind: 'wait', error };
    }
    const next = await commit(ctx, current, outcome, facts !== undefined);
    if (next === null) return null;
    if (outcome.kind === 'wait' && outcome.error instanceof GitHubRateLimitedError) throw outcome.error;
    const chained = CHAINED.has(next.state) || (next.state === 'ci_passed' && image);
    if (next.state === current.state || !chained) return next;
    current = next;
    facts = undefined;
  }
  return current;
}
