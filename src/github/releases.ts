// What cutting and watching a release needs from GitHub, over REST: tags and
// branches, dispatching a workflow and following its runs, a commit's CI
// (check runs and commit statuses), and filing an issue. Part of the GitHub
// adapter: plain data out, GitHubError on failure.

import { GitHubBadRequestError, GitHubNotFoundError, toGitHubError } from './errors';
import type { Logger } from 'pino';
import type { ConfiguredOctokit } from './octokit';

export interface WorkflowRunSummary {
  id: number;
  /** queued, in_progress, completed, waiting, requested, pending. */
  status: string;
  /** success, failure, cancelled, … once completed; null before. */
  conclusion: string | null;
  /** The run's page on GitHub, with its logs. */
  htmlUrl: string;
  createdAt: string;
  event: string;
  headBranch: string | null;
  headSha: string;
}

export interface CheckRunSummary {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  /** The CI's own page (CircleCI), when reported. */
  detailsUrl: string | null;
  htmlUrl: string | null;
}

export interface CommitStatusSummary {
  /** e.g. `ci/circleci: test`. */
  context: string;
  /** error, failure, pending, success. */
  state: string;
  targetUrl: string | null;
  description: string | null;
}

export interface CommitWithMessage {
  sha: string;
  /** The full commit message. */
  message: string;
}

export interface ReleaseGitHubApi {
  /**
   * Every tag name of the repository, following pagination (the tagging
   * workflow's number depends on all of them).
   * @throws GitHubError
   */
  listAllTagNames(): Promise<string[]>;
  /** The commit a branch points at; null when there is no such branch. @throws GitHubError */
  getBranchHead(branch: string): Promise<string | null>;
  /**
   * Starts `workflow` (file name or id) on `ref` with `workflow_dispatch`. Never
   * retried: a dispatch whose answer was lost may have started a run.
   * @throws GitHubNotFoundError (no such workflow), GitHubPermissionError (token), GitHubError
   */
  dispatchWorkflow(options: { workflow: string; ref: string; inputs?: Record<string, string> }): Promise<void>;
  /**
   * Recent runs of `workflow`, newest first, optionally only those of `event` created at or after
   * `createdFrom`: one page of `perPage` (default 20, at most 100, GitHub's page size), never more.
   * @throws GitHubError
   */
  listWorkflowRuns(options: { workflow: string; event?: string; createdFrom?: Date; perPage?: number }): Promise<WorkflowRunSummary[]>;
  /** One run; null when GitHub does not know it. @throws GitHubError */
  getWorkflowRun(runId: number): Promise<WorkflowRunSummary | null>;
  /** The check runs on a ref (only those named `checkName` when given), every page; null when the ref does not exist. @throws GitHubError */
  listCheckRuns(options: { ref: string; checkName?: string }): Promise<CheckRunSummary[] | null>;
  /** The commit statuses of a ref (latest per context), every page. @throws GitHubError */
  listCommitStatuses(ref: string): Promise<CommitStatusSummary[]>;
  /**
   * Commits in `head` that are not in `base`, oldest first, read 100 a page until all are listed
   * (or the oldest `MAX_COMPARE_COMMITS`: then `commits` holds fewer than `totalCommits`, and the log says so);
   * null when a ref is unknown.
   * @throws GitHubError
   */
  listCommitsBetween(options: { base: string; head: string }): Promise<{ totalCommits: number; commits: CommitWithMessage[] } | null>;
  /** Opens an issue. @throws GitHubError */
  createIssue(options: { title: string; body: string; labels?: string[] }): Promise<{ number: number; url: string }>;
  /**
   * Re-runs the failed jobs (and their dependents) of a GitHub Actions workflow run. Never retried.
   * @throws GitHubError (e.g. GitHub refuses a run that is still going, or too old to re-run)
   */
  rerunFailedJobs(runId: number): Promise<void>;
  /** Opens a pull request of branch `head` into `base` (a security uplift). @throws GitHubError */
  createPullRequest(options: { head: string; base: string; title: string; body: string }): Promise<{ number: number; url: string }>;
}

type Call = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

/** GitHub serves at most 100 items a page of a REST list, whatever `per_page` asks for. */
export const MAX_PER_PAGE = 100;
/**
 * Compare is read page by page up to this many commits (100 requests), a guard against a base
 * that is not an ancestor of anything recent; a train holds a few hundred. Past it the newest
 * commits are listed and `totalCommits` says how many there are.
 */
export const MAX_COMPARE_COMMITS = 10_000;

/** Pages 1 … n of a list GitHub pages with `per_page`/`page`, until `total` items are read (or a page comes back short). */
async function readPages<T>(
  readPage: (page: number) => Promise<{ items: T[]; total: number }>,
  maxItems = Number.POSITIVE_INFINITY,
): Promise<{ items: T[]; total: number }> {
  const first = await readPage(1);
  const { total } = first;
  const items = [...first.items];
  const bound = Math.min(total, maxItems);
  let last = first.items.length;
  for (let page = 2; items.length < bound && last === MAX_PER_PAGE; page++) {
    const next = await readPage(page);
    items.push(...next.items);
    last = next.items.length;
  }
  return { items, total };
}

/** A 404, or GitHub's 422 "No commit found for SHA": the ref does not exist. */
function isMissingRef(err: unknown): boolean {
  const error = toGitHubError(err);
  return error instanceof GitHubNotFoundError || (error instanceof GitHubBadRequestError && error.status === 422);
}

interface RawRun {
  id: number;
  status: string | null;
  conclusion: string | null;
  html_url: string;
  created_at: string;
  event: string;
  head_branch: string | null;
  head_sha: string;
}

function toRun(run: RawRun): WorkflowRunSummary {
  return {
    id: run.id,
    status: run.status ?? 'queued',
    conclusion: run.conclusion,
    htmlUrl: run.html_url,
    createdAt: run.created_at,
    event: run.event,
    headBranch: run.head_branch,
    headSha: run.head_sha,
  };
}

export function createReleaseApi(options: {
  octokit: ConfiguredOctokit;
  owner: string;
  repo: string;
  call: Call;
  log: Logger;
}): ReleaseGitHubApi {
  const { octokit, owner, repo, call, log } = options;
  const base = { owner, repo };

  return {
    listAllTagNames() {
      return call('listing the tags', async () => {
        const refs = await octokit.paginate(octokit.rest.git.listMatchingRefs, { ...base, ref: 'tags/', per_page: 100 });
        return refs.map((ref) => ref.ref.replace(/^refs\/tags\//, ''));
      });
    },

    async getBranchHead(branch) {
      try {
        const { data } = await octokit.rest.git.getRef({ ...base, ref: `heads/${branch}` });
        // A prefix query could answer with a list; only an exact match counts.
        return data.ref === `refs/heads/${branch}` ? data.object.sha : null;
      } catch (err) {
        if (isMissingRef(err)) return null;
        return call(`reading the branch ${branch}`, () => Promise.reject(err));
      }
    },

    dispatchWorkflow({ workflow, ref, inputs }) {
      return call(`dispatching the workflow ${workflow}`, async () => {
        await octokit.rest.actions.createWorkflowDispatch({
          ...base,
          workflow_id: workflow,
          ref,
          ...(inputs ? { inputs } : {}),
          // plugin-retry would resend it after a 5xx: GitHub may have started a run already.
          request: { retries: 0 },
        });
      });
    },

    listWorkflowRuns({ workflow, event, createdFrom, perPage }) {
      return call(`listing the runs of ${workflow}`, async () => {
        const { data } = await octokit.rest.actions.listWorkflowRuns({
          ...base,
          workflow_id: workflow,
          per_page: Math.min(perPage ?? 20, MAX_PER_PAGE),
          ...(event ? { event } : {}),
          ...(createdFrom ? { created: `>=${createdFrom.toISOString().replace(/\.\d{3}Z$/, 'Z')}` } : {}),
        });
        return data.workflow_runs.map(toRun);
      });
    },

    async getWorkflowRun(runId) {
      try {
        const { data } = await octokit.rest.actions.getWorkflowRun({ ...base, run_id: runId });
        return toRun(data);
      } catch (err) {
        if (toGitHubError(err) instanceof GitHubNotFoundError) return null;
        return call(`reading the workflow run ${runId}`, () => Promise.reject(err));
      }
    },

    async listCheckRuns({ ref, checkName }) {
      try {
        const { items } = await readPages(async (page) => {
          const { data } = await octokit.rest.checks.listForRef({
            ...base,
            ref,
            ...(checkName ? { check_name: checkName } : {}),
            filter: 'latest',
            per_page: MAX_PER_PAGE,
            page,
          });
          return { items: data.check_runs, total: data.total_count };
        });
        return items.map((run) => ({
          id: run.id,
          name: run.name,
          headSha: run.head_sha,
          status: run.status,
          conclusion: run.conclusion,
          detailsUrl: run.details_url ?? null,
          htmlUrl: run.html_url ?? null,
        }));
      } catch (err) {
        if (isMissingRef(err)) return null;
        return call(`reading the check runs of ${ref}`, () => Promise.reject(err));
      }
    },

    listCommitStatuses(ref) {
      return call(`reading the commit statuses of ${ref}`, async () => {
        const { items } = await readPages(async (page) => {
          const { data } = await octokit.rest.repos.getCombinedStatusForRef({ ...base, ref, per_page: MAX_PER_PAGE, page });
          return { items: data.statuses, total: data.total_count };
        });
        return items.map((status) => ({
          context: status.context,
          state: status.state,
          targetUrl: status.target_url ?? null,
          description: status.description ?? null,
        }));
      });
    },

    async listCommitsBetween({ base: from, head }) {
      try {
        // With per_page, GitHub pages the commits oldest first, 100 at most a page.
        const { items, total } = await readPages(async (page) => {
          const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
            ...base,
            basehead: `${from}...${head}`,
            per_page: MAX_PER_PAGE,
            page,
          });
          return { items: data.commits.map((c) => ({ sha: c.sha, message: c.commit.message })), total: data.total_commits };
        }, MAX_COMPARE_COMMITS);
        if (items.length < total) {
          log.warn(
            { base: from, head, listed: items.length, totalCommits: total },
            'GitHub: compare has too many commits to list them all',
          );
        }
        return { totalCommits: total, commits: items };
      } catch (err) {
        if (isMissingRef(err)) return null;
        return call(`comparing ${from} with ${head}`, () => Promise.reject(err));
      }
    },

    createIssue({ title, body, labels }) {
      return call('filing an issue', async () => {
        const { data } = await octokit.rest.issues.create({ ...base, title, body, ...(labels && labels.length > 0 ? { labels } : {}) });
        return { number: data.number, url: data.html_url };
      });
    },

    rerunFailedJobs(runId) {
      return call(`re-running the failed jobs of run ${runId}`, async () => {
        // Never resent after a 5xx: GitHub may have started the re-run already (a second one would be refused or re-run twice).
        await octokit.rest.actions.reRunWorkflowFailedJobs({ ...base, run_id: runId, request: { retries: 0 } });
      });
    },

    createPullRequest({ head, base: into, title, body }) {
      return call('opening a pull request', async () => {
        const { data } = await octokit.rest.pulls.create({ ...base, head, base: into, title, body });
        return { number: data.number, url: data.html_url };
      });
    },
  };
}
