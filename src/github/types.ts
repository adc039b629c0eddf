// Plain data returned by the GitHub adapter. No Octokit or GraphQL types leak out.

export interface TagCheck {
  /** GitHub's check status: QUEUED, IN_PROGRESS, COMPLETED, WAITING, PENDING, REQUESTED. */
  status: string;
  /** SUCCESS, FAILURE, CANCELLED, TIMED_OUT, … once completed; null before. */
  conclusion: string | null;
  /** The CI page (the check run's details URL). */
  url: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface TagSummary {
  name: string;
  /** The commit the tag points at (annotated tags are peeled). */
  commitSha: string;
  /** The check run named `checkName` on that commit, null when there is none (yet). */
  check: TagCheck | null;
}

export type MergeableState = 'MERGEABLE' | 'CONFLICTING' | 'UNKNOWN';
export type ReviewDecision = 'APPROVED' | 'CHANGES_REQUESTED' | 'REVIEW_REQUIRED';

export interface PullRequestSummary {
  number: number;
  title: string;
  url: string;
  /** null when the author's account was deleted ("ghost"); a bot as REST spells it (`dependabot[bot]`). */
  authorLogin: string | null;
  createdAt: string;
  isDraft: boolean;
  labels: string[];
  mergeable: MergeableState;
  reviewDecision: ReviewDecision | null;
  /** Combined state of the head commit's checks and statuses (SUCCESS, FAILURE, PENDING, ERROR, EXPECTED), null if none. */
  checksState: string | null;
  headSha: string;
}

export interface StatusSnapshot {
  /** Most recent tags first (by the date of the tagged commit). */
  tags: TagSummary[];
  /** Open pull requests into the base branch, oldest first. */
  pullRequests: PullRequestSummary[];
}

export interface StatusSnapshotOptions {
  baseBranch: string;
  /** Name of the check run reported on tag commits, e.g. `test_and_deploy_tag`. */
  checkName: string;
  /** How many of the most recent tags to read, 1–100 (one GraphQL page). Default 100. */
  maxTags?: number;
}

/** A commit of the repository. */
export interface CommitSummary {
  /** Full 40-character SHA. */
  sha: string;
  /** First line of the commit message. */
  title: string;
  url: string;
}

/**
 * How `head` relates to `base` (`git log base..head` and back): "identical",
 * "ahead" (head has commits base lacks, and not the other way round),
 * "behind" (the reverse) or "diverged".
 */
export interface CommitComparison {
  status: 'identical' | 'ahead' | 'behind' | 'diverged';
  /** Commits reachable from head and not from base. */
  aheadBy: number;
  /** Commits reachable from base and not from head. */
  behindBy: number;
}

/** A pull request of the repository. */
export interface PullRequestDetails {
  number: number;
  title: string;
  url: string;
  state: 'open' | 'closed';
  merged: boolean;
  /** The commit its merge made on the base branch (squash, rebase or merge commit); null until merged. */
  mergeCommitSha: string | null;
  /** The branch it targets (or was merged into). */
  baseRef: string;
}

/** A pull request merged into the base branch. */
export interface MergedPullRequest {
  number: number;
  title: string;
  url: string;
  /** null when the author's account was deleted ("ghost"); a bot as REST spells it (`dependabot[bot]`). */
  authorLogin: string | null;
  /** ISO instant. */
  mergedAt: string;
  headSha: string;
  labels: string[];
}

export interface MergedPullRequestsOptions {
  baseBranch: string;
  /** Pull requests merged at or after this instant (e.g. the last cut). */
  since: Date;
}

/** Where one pull request stands now. */
export interface PullRequestState {
  number: number;
  state: 'open' | 'closed' | 'merged';
  /** ISO instant, when merged. */
  mergedAt: string | null;
  headSha: string;
  authorLogin: string | null;
}
