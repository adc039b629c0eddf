/**
 * Checks a patch request against GitHub and the database before anything is
 * stored: the train is cut and still takes patches, every commit exists in the
 * configured repository and is already on main (a pull request must be merged:
 * its merge commit is used), none is in the train already, none is requested
 * for the train already, and a ride-along has a planned dot release to ride.
 *
 * It checks whatever could be read of the form, even when other fields are
 * wrong (no train picked: the commits are still looked up and checked against
 * main), so that one submission learns every problem; each commit's problem
 * is said, not only the first one's. Only reads: the store re-checks what can
 * change meanwhile when it writes.
 *
 * Slack gives a modal's submission 3 seconds for its answer, so the GitHub
 * checks run against a deadline: past it, or when GitHub fails, the answer is
 * "I cannot check now" on the commits field (with what the database said of
 * the reason), and the modal keeps what was typed.
 */
import type { AppDeps } from '../deps';
import { GitHubError } from '../github/errors';
import { formatTag } from '../train/versions';
import { findRequestedAlready, hasPlannedDotRelease } from './patch-store';
import {
  clip,
  type CommitProblem,
  describeCommitProblems,
  FIELD,
  type FieldErrors,
  joinProblems,
  type PatchItem,
  requestedAlready,
  rideAlongRefusal,
  type VerifiedCommit,
  type VerifiedRequest,
} from './request-input';
import { readTrainTags } from './train-landscape';

/** How long the GitHub checks may take; the rest of Slack's 3 seconds is for storing and answering. */
export const VERIFY_BUDGET_MS = 2_000;

export interface Verification {
  /** What GitHub and the database refuse, on its field (empty: nothing). */
  errors: FieldErrors;
  /** The request, ready to store: only when a train was given and nothing was refused. */
  request: VerifiedRequest | null;
}

type Resolved =
  | { ok: true; item: PatchItem; sha: string; title: string; pullRequest: number | null }
  | { ok: false; problem: CommitProblem };

const short = (sha: string): string => sha.slice(0, 10);

/** Patches are picked from main: what is expected of a commit that is not there. */
const landOnMainFirst = (mainBranch: string): string => `patches must land on ${mainBranch} first`;

async function resolveItem(deps: AppDeps, item: PatchItem): Promise<Resolved> {
  const { repository, mainBranch } = deps.config.settings;
  const mainFirst = landOnMainFirst(mainBranch);
  if (item.kind === 'pull-request') {
    const subject = `#${item.number}`;
    const pr = await deps.github.getPullRequest(item.number);
    if (!pr) {
      return {
        ok: false,
        problem: {
          subject,
          one: `is not a pull request of ${repository}: link a merged pull request of ${repository}, or give the commit's SHA`,
          many: `are not pull requests of ${repository}: link merged pull requests of ${repository}, or give the commits' SHAs`,
        },
      };
    }
    if (!pr.merged || !pr.mergeCommitSha) {
      const closed = pr.state === 'closed';
      return {
        ok: false,
        problem: {
          subject,
          one: `is not merged${closed ? ' (it was closed)' : ' yet'}: ${mainFirst}`,
          many: `are not merged${closed ? ' (they were closed)' : ' yet'}: ${mainFirst}`,
        },
      };
    }
    if (pr.baseRef !== mainBranch) {
      return {
        ok: false,
        problem: {
          subject,
          one: `was merged into ${pr.baseRef}, not ${mainBranch}: ${mainFirst}`,
          many: `were merged into ${pr.baseRef}, not ${mainBranch}: ${mainFirst}`,
        },
      };
    }
    return { ok: true, item, sha: pr.mergeCommitSha, title: pr.title, pullRequest: pr.number };
  }
  const commit = await deps.github.getCommit(item.ref);
  if (!commit) {
    return {
      ok: false,
      problem: {
        subject: clip(item.input),
        one: `is not a commit of ${repository}: check it for a typo (it must be a commit on ${mainBranch})`,
        many: `are not commits of ${repository}: check them for typos (they must be commits on ${mainBranch})`,
      },
    };
  }
  return { ok: true, item, sha: commit.sha, title: commit.title, pullRequest: null };
}

/**
 * Where a found commit is: on main (always checked), and after the train's
 * cut (checked when the train takes patches: `cut` is its base tag).
 * `commit` is null when there was no train to place it in.
 */
async function placeCommit(
  deps: AppDeps,
  resolved: Extract<Resolved, { ok: true }>,
  cut: { train: number; baseTag: string } | null,
): Promise<{ ok: true; commit: VerifiedCommit | null } | { ok: false; problem: CommitProblem }> {
  const { mainBranch } = deps.config.settings;
  const subject = resolved.item.kind === 'pull-request' ? `#${resolved.item.number} (${short(resolved.sha)})` : short(resolved.sha);
  // Asked with the expected descendant as base: the answers carry no commit list and no files.
  const [onMain, sinceCut] = await Promise.all([
    deps.github.compareCommits(mainBranch, resolved.sha),
    cut ? deps.github.compareCommits(resolved.sha, cut.baseTag) : Promise.resolve(null),
  ]);
  if (!onMain || (onMain.status !== 'behind' && onMain.status !== 'identical')) {
    const mainFirst = landOnMainFirst(mainBranch);
    return {
      ok: false,
      problem: { subject, one: `is not on ${mainBranch}: ${mainFirst}`, many: `are not on ${mainBranch}: ${mainFirst}` },
    };
  }
  if (!cut) return { ok: true, commit: null };
  if (!sinceCut || sinceCut.status === 'ahead' || sinceCut.status === 'identical') {
    return {
      ok: false,
      problem: {
        subject,
        one: `is already in train ${cut.train} (it was on ${mainBranch} before the cut): leave it out, the train has it`,
        many: `are already in train ${cut.train} (they were on ${mainBranch} before the cut): leave them out, the train has them`,
      },
    };
  }
  return {
    ok: true,
    commit: {
      sha: resolved.sha,
      title: resolved.title,
      source: resolved.item.kind,
      pullRequest: resolved.pullRequest,
      input: resolved.item.input,
      mainOrder: sinceCut.behindBy,
    },
  };
}

/** Whether `train` takes patches: cut (its base tag), and none of the `supportedTrains` after it cut since. */
async function checkTrain(deps: AppDeps, train: number): Promise<{ ok: true; baseTag: string } | { ok: false; problem: string }> {
  const { settings } = deps.config;
  const supported = settings.patchRequests.supportedTrains;
  const [trainTags, newerTags] = await Promise.all([readTrainTags(deps, train), readTrainTags(deps, train + supported)]);
  const baseTag = trainTags[0]?.name;
  if (!baseTag) {
    return {
      ok: false,
      problem:
        `Train ${train} has not been cut (${settings.repository} has no tag ${formatTag(settings.tagFormat, train, 0)}). ` +
        `Only cut trains take patches; what is merged to ${settings.mainBranch} before the cutoff rides the train being built.`,
    };
  }
  if (newerTags.length > 0) {
    return {
      ok: false,
      problem: `Train ${train} no longer takes patches: train ${train + supported} has been cut since, and only the latest ${supported} trains are patched.`,
    };
  }
  return { ok: true, baseTag };
}

interface GitHubFindings {
  trainProblem: string | null;
  /** Set when the train takes patches. */
  baseTag: string | null;
  problems: CommitProblem[];
  commits: VerifiedCommit[];
}

/** The train and every commit, in one pass; what cannot be checked without a valid train is left for when there is one. */
async function askGitHub(deps: AppDeps, train: number | null, items: PatchItem[]): Promise<GitHubFindings> {
  const [trainCheck, resolved] = await Promise.all([
    train === null ? Promise.resolve(null) : checkTrain(deps, train),
    Promise.all(items.map((item) => resolveItem(deps, item))),
  ]);
  const cut = train !== null && trainCheck?.ok ? { train, baseTag: trainCheck.baseTag } : null;
  const found: Array<Extract<Resolved, { ok: true }>> = [];
  for (const entry of resolved) {
    if (entry.ok && !found.some((other) => other.sha === entry.sha)) found.push(entry);
  }
  const [placed, requested] = await Promise.all([
    Promise.all(found.map((entry) => placeCommit(deps, entry, cut))),
    cut ? findRequestedAlready({ prisma: deps.db.prisma, train: cut.train, shas: found.map((entry) => entry.sha) }) : Promise.resolve([]),
  ]);
  // Every commit's problem, in the order typed (a commit typed twice, or as a SHA and as its pull request, counts once).
  const problems: CommitProblem[] = [];
  const commits: VerifiedCommit[] = [];
  for (const entry of resolved) {
    if (!entry.ok) {
      problems.push(entry.problem);
      continue;
    }
    const index = found.indexOf(entry);
    const place = placed[index];
    if (index < 0 || !place) continue;
    if (!place.ok) problems.push(place.problem);
    else if (cut && place.commit) {
      const asked = requested.filter((row) => row.sha === entry.sha);
      if (asked.length > 0) problems.push(...requestedAlready(cut.train, asked));
      else commits.push(place.commit);
    }
  }
  return { trainProblem: trainCheck && !trainCheck.ok ? trainCheck.problem : null, baseTag: cut?.baseTag ?? null, problems, commits };
}

/** The GitHub checks within `budgetMs`: their findings, or why they could not be made. */
async function askGitHubInTime(
  deps: AppDeps,
  train: number | null,
  items: PatchItem[],
  budgetMs: number,
): Promise<{ ok: true; findings: GitHubFindings } | { ok: false; why: string }> {
  const logger = deps.logger.child({ module: 'patches' });
  const checking = askGitHub(deps, train, items);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(resolve, budgetMs, 'late');
  });
  try {
    const outcome = await Promise.race([checking, late]);
    if (outcome !== 'late') return { ok: true, findings: outcome };
    // The checks go on in the background and their outcome is dropped: the person is told to try again.
    checking.catch((error: unknown) => logger.debug({ err: error }, 'patch request checks finished after their deadline'));
    logger.warn({ budgetMs }, 'patch request: GitHub too slow to check the commits in time');
    return { ok: false, why: `GitHub did not answer within ${budgetMs / 1000} seconds.` };
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    logger.warn({ err: error }, 'patch request: GitHub failed while checking the commits');
    return { ok: false, why: error.userMessage };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks the train (null: none picked), the reason and the commits that
 * could be read, all at once; GitHub failing or too slow is an error on the
 * commits field (on the train's when there are no commits to check).
 */
export async function verifyPatchRequest(options: {
  deps: AppDeps;
  train: number | null;
  reason: string | null;
  items: PatchItem[];
  budgetMs?: number;
}): Promise<Verification> {
  const { deps, train, items } = options;
  const budgetMs = options.budgetMs ?? VERIFY_BUDGET_MS;
  const nothingToAsk: { ok: true; findings: GitHubFindings } = {
    ok: true,
    findings: { trainProblem: null, baseTag: null, problems: [], commits: [] },
  };
  // The database answers whatever GitHub does: a ride-along's plan is said even when GitHub is down.
  const [planned, github] = await Promise.all([
    train !== null && options.reason === 'ride-along' ? hasPlannedDotRelease(deps.db.prisma, train) : Promise.resolve(true),
    train === null && items.length === 0 ? Promise.resolve(nothingToAsk) : askGitHubInTime(deps, train, items, budgetMs),
  ]);
  const errors: FieldErrors = {};
  if (train !== null && !planned) errors[FIELD.reason] = rideAlongRefusal(train);
  if (!github.ok) {
    if (items.length > 0) errors[FIELD.items] = cannotCheck('these commits', github.why);
    else if (train !== null) errors[FIELD.train] = cannotCheck(`train ${train}`, github.why);
    return { errors, request: null };
  }
  const { trainProblem, baseTag, problems, commits } = github.findings;
  if (trainProblem) errors[FIELD.train] = trainProblem;
  if (problems.length > 0) errors[FIELD.items] = joinProblems(describeCommitProblems(problems));
  const request = train !== null && baseTag && Object.keys(errors).length === 0 ? { train, baseTag, commits } : null;
  return { errors, request };
}

function cannotCheck(what: string, why: string): string {
  return `I cannot check ${what} with GitHub right now (${why.replace(/\.$/, '')}). Nothing was sent and what you typed is kept: press Send again in a moment.`;
}
