/**
 * Checks a patch request against GitHub and the database before anything is
 * stored: the train is cut and still takes patches, every commit exists in the
 * configured repository and is already on main (a pull request must be merged:
 * its merge commit is used), none is in the train already, none is requested
 * for the train already, and a ride-along has a planned dot release to ride.
 *
 * Slack gives a modal's submission 3 seconds for its answer, so the checks
 * run against a deadline: past it, or when GitHub fails, the answer is "I
 * cannot check now" on the commits field and the modal keeps what was typed.
 */
import type { AppDeps } from '../deps';
import { GitHubError } from '../github/errors';
import { formatTag } from '../train/versions';
import { findRequestedAlready, hasPlannedDotRelease } from './patch-store';
import {
  FIELD,
  joinProblems,
  rideAlongRefusal,
  type FieldErrors,
  type PatchItem,
  type PatchRequestForm,
  type VerifiedCommit,
  type VerifiedRequest,
} from './request-input';
import { readTrainTags } from './train-landscape';

/** How long the GitHub checks may take; the rest of Slack's 3 seconds is for storing and answering. */
export const VERIFY_BUDGET_MS = 2_000;

export type Verification = { ok: true; request: VerifiedRequest } | { ok: false; errors: FieldErrors };

type Resolved = { ok: true; item: PatchItem; sha: string; title: string; pullRequest: number | null } | { ok: false; problem: string };

const short = (sha: string): string => sha.slice(0, 10);

async function resolveItem(deps: AppDeps, item: PatchItem): Promise<Resolved> {
  const { repository, mainBranch } = deps.config.settings;
  if (item.kind === 'pull-request') {
    const pr = await deps.github.getPullRequest(item.number);
    if (!pr) return { ok: false, problem: `#${item.number} is not a pull request of ${repository}` };
    if (!pr.merged || !pr.mergeCommitSha) {
      return {
        ok: false,
        problem: `#${item.number} is not merged${pr.state === 'closed' ? ' (it was closed)' : ' yet'}: patches must land on ${mainBranch} first`,
      };
    }
    if (pr.baseRef !== mainBranch) return { ok: false, problem: `#${item.number} was merged into ${pr.baseRef}, not ${mainBranch}` };
    return { ok: true, item, sha: pr.mergeCommitSha, title: pr.title, pullRequest: pr.number };
  }
  const commit = await deps.github.getCommit(item.ref);
  if (!commit) return { ok: false, problem: `${item.input} is not a commit of ${repository}` };
  return { ok: true, item, sha: commit.sha, title: commit.title, pullRequest: null };
}

async function placeCommit(
  deps: AppDeps,
  resolved: Extract<Resolved, { ok: true }>,
  train: number,
  baseTag: string,
): Promise<VerifiedCommit | string> {
  const { mainBranch } = deps.config.settings;
  const name = resolved.item.kind === 'pull-request' ? `#${resolved.item.number} (${short(resolved.sha)})` : short(resolved.sha);
  // Asked with the expected descendant as base: the answers carry no commit list and no files.
  const [onMain, sinceCut] = await Promise.all([
    deps.github.compareCommits(mainBranch, resolved.sha),
    deps.github.compareCommits(resolved.sha, baseTag),
  ]);
  if (!onMain || (onMain.status !== 'behind' && onMain.status !== 'identical')) {
    return `${name} is not on ${mainBranch}: patches must land on ${mainBranch} first`;
  }
  if (!sinceCut || sinceCut.status === 'ahead' || sinceCut.status === 'identical') {
    return `${name} is already in train ${train} (it was on ${mainBranch} before the cut)`;
  }
  return {
    sha: resolved.sha,
    title: resolved.title,
    source: resolved.item.kind,
    pullRequest: resolved.pullRequest,
    input: resolved.item.input,
    mainOrder: sinceCut.behindBy,
  };
}

async function check(deps: AppDeps, form: PatchRequestForm & { train: number }, items: PatchItem[]): Promise<Verification> {
  const { settings } = deps.config;
  const { train } = form;
  const supported = settings.patchRequests.supportedTrains;
  const [trainTags, newerTags, resolved, planned] = await Promise.all([
    readTrainTags(deps, train),
    readTrainTags(deps, train + supported),
    Promise.all(items.map((item) => resolveItem(deps, item))),
    form.reason === 'ride-along' ? hasPlannedDotRelease(deps.db.prisma, train) : Promise.resolve(true),
  ]);
  const errors: FieldErrors = {};
  const baseTag = trainTags[0]?.name;
  if (!baseTag) {
    errors[FIELD.train] =
      `Train ${train} has not been cut (${settings.repository} has no tag ${formatTag(settings.tagFormat, train, 0)}). ` +
      `Only cut trains take patches; what is merged to ${settings.mainBranch} before the cutoff rides the train being built.`;
  } else if (newerTags.length > 0) {
    errors[FIELD.train] =
      `Train ${train} no longer takes patches: train ${train + supported} has been cut since, and only the latest ${supported} trains are patched.`;
  }
  if (!planned) errors[FIELD.reason] = rideAlongRefusal(train);

  const problems: string[] = [];
  const found: Array<Extract<Resolved, { ok: true }>> = [];
  for (const entry of resolved) {
    if (!entry.ok) problems.push(entry.problem);
    else if (!found.some((other) => other.sha === entry.sha)) found.push(entry);
  }
  const commits: VerifiedCommit[] = [];
  if (baseTag && !errors[FIELD.train]) {
    for (const placed of await Promise.all(found.map((entry) => placeCommit(deps, entry, train, baseTag)))) {
      if (typeof placed === 'string') problems.push(placed);
      else commits.push(placed);
    }
    problems.push(...(await findRequestedAlready({ prisma: deps.db.prisma, train, shas: commits.map((c) => c.sha) })));
  }
  if (problems.length > 0) errors[FIELD.items] = joinProblems(problems);
  if (Object.keys(errors).length > 0 || !baseTag) return { ok: false, errors };
  return { ok: true, request: { train, baseTag, commits } };
}

/** Runs the checks within `budgetMs`; GitHub failing or too slow is an error on the commits field. */
export async function verifyPatchRequest(options: {
  deps: AppDeps;
  form: PatchRequestForm & { train: number };
  items: PatchItem[];
  budgetMs?: number;
}): Promise<Verification> {
  const { deps } = options;
  const logger = deps.logger.child({ module: 'patches' });
  const budgetMs = options.budgetMs ?? VERIFY_BUDGET_MS;
  const checking = check(deps, options.form, options.items);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(resolve, budgetMs, 'late');
  });
  try {
    const outcome = await Promise.race([checking, late]);
    if (outcome !== 'late') return outcome;
    // The checks go on in the background and their outcome is dropped: the person is told to try again.
    checking.catch((error: unknown) => logger.debug({ err: error }, 'patch request checks finished after their deadline'));
    logger.warn({ budgetMs }, 'patch request: GitHub too slow to check the commits in time');
    return { ok: false, errors: { [FIELD.items]: cannotCheck(`GitHub did not answer within ${budgetMs / 1000} seconds.`) } };
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    logger.warn({ err: error }, 'patch request: GitHub failed while checking the commits');
    return { ok: false, errors: { [FIELD.items]: cannotCheck(error.userMessage) } };
  } finally {
    clearTimeout(timer);
  }
}

function cannotCheck(why: string): string {
  return `I cannot check these commits with GitHub right now (${why.replace(/\.$/, '')}). Nothing was sent and what you typed is kept: press Send again in a moment.`;
}
