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
import type { CheckRunSummary, CommitStatusSummary, PullRequestSummary } from '../github/client';
import { escapeMrkdwn, mentionUser } from '../slack/mrkdwn';
import { formatCountdown, formatInZones } from '../train/time-format';
import { formatBranch, formatTag, nextTrainNumber, predictWorkflowTrain } from '../train/versions';
import { findTrainCut } from './release-store';
import { describeState, holdsTheTrain } from './states';

export interface CutPlan {
  train: number;
  tag: string;
  branch: string;
  /** The tag the workflow counts from. */
  basedOnTag: string;
  /** The previous train's first tag, when it exists: "made it" counts from there. */
  previousTag: string | null;
  source: { sha: string; title: string };
  /** Commits on main since the previous train's tag, and the PR numbers found in their messages. */
  madeIt: { totalCommits: number; pullRequests: number[] } | null;
  /** Open pull requests into the main branch: they roll to the next train. Null when GitHub did not list them. */
  rolling: PullRequestSummary[] | null;
  /** mrkdwn lines (already escaped). */
  warnings: string[];
  /** mrkdwn lines: reasons the cut cannot go ahead. */
  blockers: string[];
}

/** The workflow's number and the release tags' numbering, or why they cannot be used. */
export function computeTrainToCut(tagNames: string[], tagFormat: string): { train: number; basedOnTag: string } {
  const predicted = predictWorkflowTrain(tagNames);
  const intended = nextTrainNumber(tagNames, tagFormat);
  if (predicted === null || intended === null) {
    throw new InvalidInputError(
      'The repository has no release tag to count from, so the tagging workflow cannot compute a train number. ' +
        'Push the first release tag by hand; nothing was dispatched.',
    );
  }
  if (predicted.train !== intended) {
    throw new InvalidInputError(
      `The tagging workflow would cut *train ${predicted.train}*: it counts from \`${escapeMrkdwn(predicted.basedOnTag)}\`, ` +
        `the highest tag without a hyphen in git's version order. The release tags say the next train is *${intended}*. ` +
        `Rename or delete the tag \`${escapeMrkdwn(predicted.basedOnTag)}\` (or give it a hyphen) and try again; nothing was dispatched.`,
    );
  }
  return { train: intended, basedOnTag: predicted.basedOnTag };
}

const FAILED_CONCLUSIONS = new Set(['failure', 'timed_out', 'cancelled', 'action_required', 'startup_failure']);

/** Failing CI on a commit, as short names. */
export function failingCi(checkRuns: CheckRunSummary[] | null, statuses: CommitStatusSummary[]): string[] {
  const failing = (checkRuns ?? []).filter((run) => run.status === 'completed' && FAILED_CONCLUSIONS.has(run.conclusion ?? '')).map((run) => run.name);
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

export async function planCut(options: { deps: AppDeps; now: Date; tagNames: string[] }): Promise<CutPlan> {
  const { deps, now, tagNames } = options;
  const { settings } = deps.config;
  const { train, basedOnTag } = computeTrainToCut(tagNames, settings.tagFormat);
  const tag = formatTag(settings.tagFormat, train, 0);
  const branch = formatBranch(settings.branchFormat, train);
  const previous = formatTag(settings.tagFormat, train - 1, 0);
  const previousTag = tagNames.includes(previous) ? previous : null;

  const warnings: string[] = [];
  const blockers: string[] = [];
  const [mainHead, branchHead, existing, rolling] = await Promise.all([
    deps.github.getBranchHead(settings.mainBranch),
    deps.github.getBranchHead(branch),
    findTrainCut(deps.db.prisma, train),
    deps.github.getStatusSnapshot({ baseBranch: settings.mainBranch, checkName: settings.ciCheckName }).then(
      (snapshot) => snapshot.pullRequests,
      (error: unknown) => {
        if (!(error instanceof GitHubError)) throw error;
        warnings.push(`Could not list the open pull requests: ${escapeMrkdwn(error.userMessage)}`);
        return null;
      },
    ),
  ]);
  if (mainHead === null) {
    throw new InvalidInputError(`The branch \`${escapeMrkdwn(settings.mainBranch)}\` does not exist in ${escapeMrkdwn(settings.repository)}; nothing was dispatched.`);
  }
  const [comparison, checkRuns, statuses] = await Promise.all([
    previousTag ? deps.github.listCommitsBetween({ base: previousTag, head: mainHead }) : Promise.resolve(null),
    deps.github.listCheckRuns({ ref: mainHead }),
    deps.github.listCommitStatuses(mainHead),
  ]);
  const headCommit = comparison?.commits.at(-1);
  const title = headCommit?.sha === mainHead ? (headCommit.message.split('\n')[0] ?? '') : '';

  if (tagNames.includes(tag)) blockers.push(`The tag \`${escapeMrkdwn(tag)}\` already exists: train ${train} was cut already.`);
  if (branchHead !== null) {
    blockers.push(
      `The branch \`${escapeMrkdwn(branch)}\` already exists (at \`${branchHead.slice(0, 7)}\`), so the workflow would fail or cut twice. ` +
        'If it was left by a failed run, delete it first.',
    );
  }
  if (existing && holdsTheTrain(existing.state)) {
    blockers.push(
      `A cut of train ${train} is already on record: ${describeState(existing.state, escapeMrkdwn(existing.tag))} ` +
        `(asked by ${mentionUser(existing.requestedBy)}).`,
    );
  }
  const failing = failingCi(checkRuns, statuses);
  if (failing.length > 0) {
    warnings.push(`CI is failing on \`${escapeMrkdwn(settings.mainBranch)}\`'s head: ${failing.map((name) => `\`${escapeMrkdwn(name)}\``).join(', ')}.`);
  }
  const cutoff = deps.calendar.getTrain(train).cutoff;
  if (cutoff > now) {
    warnings.push(`Train ${train}'s cutoff is not until ${formatInZones(cutoff, settings.displayTimeZones)} (in ${formatCountdown(now, cutoff)}).`);
  }
  return {
    train,
    tag,
    branch,
    basedOnTag,
    previousTag,
    source: { sha: mainHead, title },
    madeIt: comparison ? { totalCommits: comparison.totalCommits, pullRequests: pullRequestNumbers(comparison.commits.map((c) => c.message)) } : null,
    rolling,
    warnings,
    blockers,
  };
}
