/**
 * What `/release tag` would do, computed the way the tagging workflow will:
 * the train number (highest hyphen-free tag in git's version order + 1, which
 * must agree with the release tags' own numbering), the commit on the main
 * branch it starts from, the pull requests that made it and those that roll,
 * and anything that should make the owner stop (warnings) or that forbids the
 * cut (blockers).
 */
import type { AppDeps } from '../deps';
import { InvalidInputError } from '../errors';
import { GitHubError } from '../github/errors';
import type { CheckRunSummary, CommitStatusSummary } from '../github/client';
import { gatherPrecutChecks } from '../reminders/precut-checks';
import { withoutIgnored } from '../reminders/pull-requests';
import { formatBranch, formatTag, nextTrainNumber, predictWorkflowTrain } from '../train/versions';
import type { CutBlocker, CutWarning, TrainCountProblem } from './outcomes';
import type { LateMerges, PrecutPlan } from './precut-plan';
import { findTrainCut } from './release-store';
import { holdsTheTrain } from './states';
import { renderCutRefusal, renderTrainCountProblem } from './tag-view';

export type { CutPlan } from './outcomes';
export type { PrecutPlan } from './precut-plan';

/** The workflow's number and the release tags' numbering, or why they cannot be used. */
export function trainToCut(
  tagNames: string[],
  tagFormat: string,
): { ok: true; train: number; basedOnTag: string } | { ok: false; problem: TrainCountProblem } {
  const predicted = predictWorkflowTrain(tagNames);
  const intended = nextTrainNumber(tagNames, tagFormat);
  if (predicted === null || intended === null) return { ok: false, problem: { kind: 'no-release-tag' } };
  if (predicted.train !== intended)
    return { ok: false, problem: { kind: 'numbering-disagrees', predicted: predicted.train, basedOnTag: predicted.basedOnTag, intended } };
  return { ok: true, train: intended, basedOnTag: predicted.basedOnTag };
}

/** The train to cut; @throws InvalidInputError saying why the tags do not give one. */
export function computeTrainToCut(tagNames: string[], tagFormat: string): { train: number; basedOnTag: string } {
  const counted = trainToCut(tagNames, tagFormat);
  if (!counted.ok) throw new InvalidInputError(renderTrainCountProblem(counted.problem));
  return { train: counted.train, basedOnTag: counted.basedOnTag };
}

const FAILED_CONCLUSIONS = new Set(['failure', 'timed_out', 'cancelled', 'action_required', 'startup_failure']);

/** Failing CI on a commit, as short names. */
export function failingCi(checkRuns: CheckRunSummary[] | null, statuses: CommitStatusSummary[]): string[] {
  const failing = (checkRuns ?? [])
    .filter((run) => run.status === 'completed' && FAILED_CONCLUSIONS.has(run.conclusion ?? ''))
    .map((run) => run.name);
  failing.push(...statuses.filter((status) => status.state === 'failure' || status.state === 'error').map((status) => status.context));
  return [...new Set(failing)];
}

/** PR numbers in squash-merge titles ("Fix the thing (#123)") and merge commits ("Merge pull request #123 …"). */
export function pullRequestNumbers(messages: string[]): number[] {
  const numbers: number[] = [];
  for (const message of messages) {
    const title = message.split('\n')[0] ?? '';
    const match = /\(#(\d+)\)\s*$/.exec(title) ?? /^Merge pull request #(\d+)/.exec(title);
    if (match?.[1]) numbers.push(Number(match[1]));
  }
  return [...new Set(numbers)];
}

/**
 * Pull requests merged into main after the train's cutoff (by merge time): the
 * workflow tags main's head, so they would ride this train. One GraphQL page
 * per 100 pull requests updated since the cutoff (the adapter's page cap holds).
 */
async function findLateMerges(deps: AppDeps, cutoff: Date, now: Date): Promise<LateMerges> {
  const { settings } = deps.config;
  if (now <= cutoff) return { kind: 'none' };
  try {
    const merged = await deps.github.listMergedPullRequestsSince({ baseBranch: settings.mainBranch, since: cutoff });
    const late = withoutIgnored(
      merged.filter((pr) => Date.parse(pr.mergedAt) > cutoff.getTime()),
      settings,
    );
    return late.length === 0 ? { kind: 'none' } : { kind: 'merged', cutoff, pullRequests: late };
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    return { kind: 'unknown', message: error.userMessage };
  }
}

export async function planCut(options: { deps: AppDeps; now: Date; tagNames: string[] }): Promise<PrecutPlan> {
  const { deps, now, tagNames } = options;
  const { settings } = deps.config;
  const { train, basedOnTag } = computeTrainToCut(tagNames, settings.tagFormat);
  const tag = formatTag(settings.tagFormat, train, 0);
  const branch = formatBranch(settings.branchFormat, train);
  const previous = formatTag(settings.tagFormat, train - 1, 0);
  const previousTag = tagNames.includes(previous) ? previous : null;

  const warnings: CutWarning[] = [];
  const blockers: CutBlocker[] = [];
  const [mainHead, branchHead, existing, rolling] = await Promise.all([
    deps.github.getBranchHead(settings.mainBranch),
    deps.github.getBranchHead(branch),
    findTrainCut(deps.db.prisma, train),
    deps.github.getStatusSnapshot({ baseBranch: settings.mainBranch, checkName: settings.ciCheckName }).then(
      // Ignored labels and authors (bots' dependency bumps) left out, as in the last call.
      (snapshot) => withoutIgnored(snapshot.pullRequests, settings),
      (error: unknown) => {
        if (!(error instanceof GitHubError)) throw error;
        warnings.push({ kind: 'pull-requests-unlisted', message: error.userMessage });
        return null;
      },
    ),
  ]);
  if (mainHead === null) {
    throw new InvalidInputError(renderCutRefusal({ kind: 'main-missing', branch: settings.mainBranch, repository: settings.repository }));
  }
  const cutoff = deps.calendar.getTrain(train).cutoff;
  const [comparison, checkRuns, statuses, late] = await Promise.all([
    previousTag ? deps.github.listCommitsBetween({ base: previousTag, head: mainHead }) : Promise.resolve(null),
    deps.github.listCheckRuns({ ref: mainHead }),
    deps.github.listCommitStatuses(mainHead),
    findLateMerges(deps, cutoff, now),
  ]);
  const headCommit = comparison?.commits.at(-1);
  const title = headCommit?.sha === mainHead ? (headCommit.message.split('\n')[0] ?? '') : '';

  if (tagNames.includes(tag)) blockers.push({ kind: 'tag-exists', tag, train });
  if (branchHead !== null) blockers.push({ kind: 'branch-exists', branch, head: branchHead });
  if (existing && holdsTheTrain(existing.state)) {
    blockers.push({ kind: 'cut-on-record', train, state: existing.state, tag: existing.tag, requestedBy: existing.requestedBy });
  }
  const failing = failingCi(checkRuns, statuses);
  if (failing.length > 0) warnings.push({ kind: 'ci-failing', branch: settings.mainBranch, checks: failing });
  if (cutoff > now) warnings.push({ kind: 'before-cutoff', train, cutoff, now });
  return {
    train,
    tag,
    branch,
    basedOnTag,
    previousTag,
    source: { sha: mainHead, title },
    madeIt: comparison
      ? { totalCommits: comparison.totalCommits, pullRequests: pullRequestNumbers(comparison.commits.map((c) => c.message)) }
      : null,
    rolling,
    warnings,
    blockers,
    late,
    precut: await gatherPrecutChecks({ deps, openPullRequests: rolling, failingOnMain: failing }),
  };
}
