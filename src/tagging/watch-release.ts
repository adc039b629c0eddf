/**
 * Advancing a release through its states, one step at a time. A step reads
 * what it needs (from GitHub or stage, or from a webhook's payload: "facts"),
 * decides (watch-steps.ts, paced by watch-policy.ts), and writes its change
 * conditionally (commit.ts): steps are idempotent and two replicas never both
 * apply one. Polling backs off while nothing happens, respects GitHub's rate
 * limits, and reports lateness once per state; with webhooks configured GitHub
 * is polled only as a safety net.
 */
import { uploadAssetsAfterRelease } from '../assets/assets-upload';
import type { AppDeps } from '../deps';
import { readDeployedVersion } from '../environments/deployed-versions';
import { GitHubError, GitHubRateLimitedError } from '../github/errors';
import type { CommitStatusSummary, WorkflowRunSummary } from '../github/client';
import type { Logger } from '../logger';
import { commitWrite } from './commit';
import { dispatchImage } from './dispatch';
import { listRunClaims, type TagRelease } from './release-store';
import { CLOCK_SKEW_MS, dispatchCandidates, waitingForStage } from './watch-policy';
import {
  checkOfFacts,
  ciFailed,
  ciVerdict,
  decideStep,
  dispatchedSince,
  isImageState,
  latestCheck,
  runOfFacts,
  settle,
  type Decision,
  type Facts,
  type Observation,
  type StepInput,
} from './watch-steps';

/** The commit statuses CircleCI sets on a commit (`ci/circleci: <job>`): CI's verdict when there is no check run. */
export const CIRCLECI_CONTEXT = 'ci/circleci';

/** States whose step runs at once after the change that led to them. */
const CHAINED: ReadonlySet<string> = new Set(['run_succeeded']);

/** The run a dispatch of `workflow` at `since` started: the oldest matching run neither claimed by another release nor an earlier attempt's. @throws GitHubError */
export async function findRunOfDispatch(options: {
  deps: AppDeps;
  release: TagRelease;
  workflow: string;
  since: Date;
  logger?: Logger;
}): Promise<WorkflowRunSummary | null> {
  const { deps, release, workflow, since } = options;
  const runs = await deps.github.listWorkflowRuns({
    workflow,
    event: 'workflow_dispatch',
    createdFrom: new Date(since.getTime() - CLOCK_SKEW_MS),
  });
  const candidates = dispatchCandidates({ settings: deps.config.settings, runs, since, earlierRunIds: release.earlierRunIds });
  if (candidates.length === 0) return null;
  const claimed = await listRunClaims(deps.db.prisma, { exceptRelease: release.id, runIds: candidates.map((run) => run.id) });
  const free = candidates.filter((run) => !claimed.has(run.id));
  if (free.length > 1) {
    const logger = options.logger ?? deps.logger.child({ module: 'tagging' });
    logger.warn(
      { tag: release.tag, runs: free.map((run) => run.id) },
      `tagging: several runs of ${workflow} started after the dispatch; following the first`,
    );
  }
  return free[0] ?? null;
}

/** CI on the tag: the check run (or CircleCI's statuses without it), and every status when it failed. @throws GitHubError */
async function readCi(deps: AppDeps, logger: Logger, release: TagRelease, sha: string, facts: Facts | undefined): Promise<Observation> {
  const { settings } = deps.config;
  let check = facts ? checkOfFacts(settings, release, facts) : null;
  let statuses: CommitStatusSummary[] | null = null;
  if (facts) {
    if (!check) return { kind: 'none' };
  } else {
    check = latestCheck(
      ((await deps.github.listCheckRuns({ ref: sha, checkName: settings.ciCheckName })) ?? []).filter((run) => run.headSha === sha),
    );
    // Without the check run, CircleCI's job statuses (`ci/circleci: …`) may tell.
    if (!check) statuses = (await deps.github.listCommitStatuses(sha)).filter((s) => s.context.startsWith(CIRCLECI_CONTEXT));
  }
  if (statuses === null && ciFailed(ciVerdict(check, statuses))) {
    try {
      statuses = await deps.github.listCommitStatuses(sha);
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      logger.warn(
        { err: error, tag: release.tag },
        'tagging: could not read the commit statuses of a failed CI; listing the check run only',
      );
      statuses = [];
    }
  }
  return { kind: 'ci', check, statuses };
}

/** What the step for `release` needs to see: from `facts` without asking GitHub, or read now. @throws GitHubError */
async function observe(deps: AppDeps, logger: Logger, release: TagRelease, facts: Facts | undefined): Promise<Observation> {
  const { settings } = deps.config;
  switch (release.state) {
    case 'requested':
    case 'image_requested':
      return facts ? { kind: 'run', run: runOfFacts(settings, release, facts) } : { kind: 'none' };
    case 'dispatched':
    case 'image_dispatched': {
      if (facts) return { kind: 'run', run: runOfFacts(settings, release, facts) };
      const image = isImageState(release.state);
      const knownId = image ? release.imageRunId : release.runId;
      if (knownId !== null) return { kind: 'run', run: await deps.github.getWorkflowRun(Number(knownId)) };
      const workflow = image ? settings.imageWorkflow : settings.tagWorkflow;
      return { kind: 'run', run: await findRunOfDispatch({ deps, release, workflow, since: dispatchedSince(release, image), logger }) };
    }
    case 'run_succeeded':
      return facts ? { kind: 'none' } : { kind: 'commit', sha: (await deps.github.getCommit(release.tag))?.sha ?? null };
    case 'tagged':
    case 'ci_failed':
      // After a failure too: a re-run (a new check run, statuses changing) is CI's answer now.
      return release.tagSha ? readCi(deps, logger, release, release.tagSha, facts) : { kind: 'none' };
    case 'on_stage':
      if (facts) return { kind: 'none' };
      return {
        kind: 'stage',
        stage: await readDeployedVersion({ environment: 'production', url: settings.productionVersionUrl, tagFormat: settings.tagFormat }),
      };
    default:
      if (facts || !waitingForStage(release.state, settings)) return { kind: 'none' };
      return {
        kind: 'stage',
        stage: await readDeployedVersion({ environment: 'stage', url: settings.stageVersionUrl, tagFormat: settings.tagFormat }),
      };
  }
}

/**
 * Takes one step for `release` (and the steps that follow at once, such as
 * looking for the tag right after the run succeeded). With `facts` (a webhook)
 * nothing is asked of GitHub for that first step. Returns the release as it
 * now is, or null when another process changed it meanwhile.
 * @throws GitHubRateLimitedError when GitHub limits the bot (after recording the wait)
 */
export async function advanceRelease(options: {
  deps: AppDeps;
  release: TagRelease;
  now: Date;
  facts?: Facts;
}): Promise<TagRelease | null> {
  const { deps, now } = options;
  const logger = deps.logger.child({ module: 'tagging' });
  const input: StepInput = {
    settings: deps.config.settings,
    webhooks: deps.githubWebhooks,
    now,
    cutoffOf: (train) => deps.calendar.getTrain(train).cutoff,
  };
  let current = options.release;
  let facts = options.facts;
  const image = input.settings.dispatchImageWorkflow;
  for (let step = 0; step < 4; step++) {
    // CI passed and images are built by a workflow: dispatch it (the move to `image_requested` is its guard).
    if (current.state === 'ci_passed' && image) return facts ? current : dispatchImage({ deps, release: current, now });
    let decision: Decision;
    try {
      decision = decideStep(input, current, await observe(deps, logger, current, facts));
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      logger.warn({ err: error, tag: current.tag, state: current.state }, 'tagging: GitHub failed during a watch step; backing off');
      decision = { kind: 'wait', error };
    }
    const write = settle(input, current, decision, facts !== undefined);
    const next = write ? await commitWrite({ deps, release: current, now, write }) : current;
    if (next === null) return null;
    if (next.state === 'ci_passed' && current.state !== 'ci_passed')
      await uploadAssetsAfterRelease({ deps, train: next.train, tag: next.tag, now });
    if (decision.kind === 'wait' && decision.error instanceof GitHubRateLimitedError) throw decision.error;
    const chained = CHAINED.has(next.state) || (next.state === 'ci_passed' && image);
    if (next.state === current.state || !chained) return next;
    current = next;
    facts = undefined;
  }
  return current;
}
