// The GitHub adapter's entry point. It knows GitHub (REST, GraphQL, rate
// limits) and nothing of Slack or of the features that use it.

import type { Logger } from 'pino';
import { GitHubNotFoundError, toGitHubError } from './errors';
import { createOctokit, type ConfiguredOctokit } from './octokit';
import { createReleaseApi, type ReleaseGitHubApi } from './releases';
import {
  OPEN_PULL_REQUESTS_QUERY,
  PAGE_SIZE,
  STATUS_SNAPSHOT_QUERY,
  toPullRequestSummaries,
  toTagSummaries,
  type OpenPullRequestsResponse,
  type PullRequestPage,
  type StatusSnapshotResponse,
} from './status-snapshot';
import { MERGED_PULL_REQUESTS_QUERY, readMergedPage, type MergedPullRequestsResponse } from './merged-pull-requests';
import type {
  CommitComparison,
  CommitSummary,
  MergedPullRequest,
  MergedPullRequestsOptions,
  PullRequestDetails,
  PullRequestState,
  PullRequestSummary,
  StatusSnapshot,
  StatusSnapshotOptions,
} from './types';

export type {
  CommitComparison,
  CommitSummary,
  MergeableState,
  MergedPullRequest,
  MergedPullRequestsOptions,
  PullRequestDetails,
  PullRequestState,
  PullRequestSummary,
  ReviewDecision,
  StatusSnapshot,
  StatusSnapshotOptions,
  TagCheck,
  TagSummary,
} from './types';
export type { CheckRunSummary, CommitStatusSummary, CommitWithMessage, ReleaseGitHubApi, WorkflowRunSummary } from './releases';

export interface GitHubClientOptions {
  token: string;
  /** https://api.github.com in production; the fake server's URL in tests. */
  baseUrl: string;
  owner: string;
  repo: string;
  logger: Logger;
  /** Timeout of each HTTP attempt. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** Retries of 5xx and network errors; the n-th retry waits n² × minRetryAfterMs (default 2 retries, 1000 ms). */
  retry?: { retries: number; minRetryAfterMs?: number };
}

/** Also what cutting and watching a release needs (src/github/releases.ts). */
export interface GitHubClient extends ReleaseGitHubApi {
  readonly owner: string;
  readonly repo: string;
  /**
   * Recent tags (with the CI check run `checkName` of each tagged commit) and
   * every open pull request into `baseBranch`, oldest first. One GraphQL
   * request for up to 100 open PRs, plus one per further 100. Concurrent
   * identical calls share one read.
   * @throws GitHubError (one of its subclasses)
   */
  getStatusSnapshot(options: StatusSnapshotOptions): Promise<StatusSnapshot>;
  /**
   * The GitHub account with this login (its canonical spelling), or null when there is none.
   * @throws GitHubError when GitHub cannot answer
   */
  getUser(login: string): Promise<{ login: string } | null>;
  /**
   * The commit `ref` names (a SHA, or an unambiguous prefix of at least 7), or
   * null when the repository has no such commit.
   * @throws GitHubError when GitHub cannot answer
   */
  getCommit(ref: string): Promise<CommitSummary | null>;
  /**
   * How `head` relates to `base` (REST compare `base...head`); null when either is unknown.
   * Ask with the expected descendant as `base` to keep the answer small (no commit list, no files).
   * @throws GitHubError when GitHub cannot answer
   */
  compareCommits(base: string, head: string): Promise<CommitComparison | null>;
  /**
   * Pull request `number`, or null when the repository has none.
   * @throws GitHubError when GitHub cannot answer
   */
  getPullRequest(number: number): Promise<PullRequestDetails | null>;
  /**
   * Names of the tags starting with `prefix` (e.g. "v1.301." for train 301's tags), in one request.
   * @throws GitHubError when GitHub cannot answer
   */
  listTagNames(prefix: string): Promise<string[]>;
  /**
   * The public e-mail on a GitHub profile (REST `GET /users/{login}`, field
   * `email`); null when the account has none or does not exist.
   * @throws GitHubError when GitHub cannot answer
   */
  getPublicEmail(login: string): Promise<string | null>;
  /**
   * Pull requests merged into `baseBranch` at or after `since`, oldest merge
   * first: one GraphQL request per 100 pull requests updated since then.
   * @throws GitHubError
   */
  listMergedPullRequestsSince(options: MergedPullRequestsOptions): Promise<MergedPullRequest[]>;
  /**
   * Where one pull request stands (open, closed or merged), or null when it
   * does not exist. One REST request.
   * @throws GitHubError when GitHub cannot answer
   */
  getPullRequestState(number: number): Promise<PullRequestState | null>;
}

/** GitHub answers 404, or 422 "No commit found for SHA", for a ref it does not know. */
function isUnknownRef(err: unknown): boolean {
  const error = toGitHubError(err);
  return error instanceof GitHubNotFoundError || (error.kind === 'bad-request' && error.status === 422);
}

/** Guards against a cursor that never advances: 50 pages = 5 000 open PRs. */
const MAX_PULL_REQUEST_PAGES = 50;

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { owner, repo } = options;
  const log = options.logger.child({ component: 'github', repository: `${owner}/${repo}` });
  const factoryOptions: Parameters<typeof createOctokit>[0] = { token: options.token, baseUrl: options.baseUrl, logger: options.logger };
  if (options.requestTimeoutMs !== undefined) factoryOptions.requestTimeoutMs = options.requestTimeoutMs;
  if (options.retry !== undefined) factoryOptions.retry = options.retry;
  const octokit = createOctokit(factoryOptions);

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const error = toGitHubError(err);
      log.warn({ kind: error.kind, status: error.status, requestId: error.requestId, err: error.message }, `GitHub: ${what} failed`);
      throw error;
    }
  }

  function repositoryNotFound(cause?: unknown): GitHubNotFoundError {
    const original = cause === undefined ? null : toGitHubError(cause);
    return new GitHubNotFoundError(
      `repository ${owner}/${repo} not found`,
      `GitHub cannot find the repository ${owner}/${repo} (or the bot's token is not allowed to see it).`,
      { status: original?.status ?? null, requestId: original?.requestId ?? null, cause },
    );
  }

  const snapshotsInFlight = new Map<string, Promise<StatusSnapshot>>();

  async function readStatusSnapshot(baseBranch: string, checkName: string, maxTags: number): Promise<StatusSnapshot> {
    const first = await graphql<StatusSnapshotResponse>(octokit, STATUS_SNAPSHOT_QUERY, 'StatusSnapshot', {
      owner,
      name: repo,
      base: baseBranch,
      checkName,
      tagCount: maxTags,
      cursor: null,
    });
    if (!first.repository) throw repositoryNotFound();
    const tags = toTagSummaries(first.repository.refs);
    const pullRequests = new Map<number, PullRequestSummary>();
    let page: PullRequestPage = first.repository.pullRequests;
    for (let pages = 1; ; pages++) {
      // Keyed by number: a PR that shifts between pages while we read is not listed twice.
      for (const pr of toPullRequestSummaries(page)) pullRequests.set(pr.number, pr);
      const cursor = page.pageInfo.endCursor;
      if (!page.pageInfo.hasNextPage || cursor === null) break;
      if (pages >= MAX_PULL_REQUEST_PAGES) {
        log.warn({ pages, pullRequests: pullRequests.size }, 'GitHub: too many pages of open pull requests, stopping');
        break;
      }
      const next = await graphql<OpenPullRequestsResponse>(octokit, OPEN_PULL_REQUESTS_QUERY, 'OpenPullRequests', {
        owner,
        name: repo,
        base: baseBranch,
        cursor,
      });
      if (!next.repository) throw repositoryNotFound();
      page = next.repository.pullRequests;
    }
    return { tags, pullRequests: [...pullRequests.values()] };
  }

  return {
    owner,
    repo,
    ...createReleaseApi({ octokit, owner, repo, call }),

    async getStatusSnapshot({ baseBranch, checkName, maxTags = PAGE_SIZE }) {
      if (!Number.isInteger(maxTags) || maxTags < 1 || maxTags > PAGE_SIZE) {
        throw new RangeError(`maxTags must be an integer from 1 to ${PAGE_SIZE}, got ${maxTags}`);
      }
      // Identical snapshots asked for while one is being read share it: plugin-throttling
      // lets at most one GraphQL request out per second, so ten people typing
      // `/release status` together would otherwise wait up to ten seconds.
      const key = JSON.stringify([baseBranch, checkName, maxTags]);
      let shared = snapshotsInFlight.get(key);
      if (!shared) {
        shared = call('reading the status snapshot', async () => {
          try {
            return await readStatusSnapshot(baseBranch, checkName, maxTags);
          } catch (err) {
            // The only thing these queries can fail to find is the repository itself.
            if (toGitHubError(err) instanceof GitHubNotFoundError) throw repositoryNotFound(err);
            throw err;
          }
        }).finally(() => snapshotsInFlight.delete(key));
        snapshotsInFlight.set(key, shared);
      }
      // Each caller gets its own copy to sort or trim.
      return structuredClone(await shared);
    },

    async getUser(login) {
      try {
        const { data } = await octokit.rest.users.getByUsername({ username: login });
        return { login: data.login };
      } catch (err) {
        if (toGitHubError(err) instanceof GitHubNotFoundError) return null;
        return call(`looking up the GitHub user ${login}`, () => Promise.reject(err));
      }
    },

    async getCommit(ref) {
      try {
        const { data } = await octokit.rest.repos.getCommit({ owner, repo, ref, per_page: 1 });
        return { sha: data.sha, title: data.commit.message.split('\n')[0] ?? '', url: data.html_url };
      } catch (err) {
        if (isUnknownRef(err)) return null;
        return call(`reading commit ${ref}`, () => Promise.reject(err));
      }
    },

    async compareCommits(base, head) {
      try {
        const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: `${base}...${head}`, per_page: 1 });
        return { status: data.status, aheadBy: data.ahead_by, behindBy: data.behind_by };
      } catch (err) {
        if (isUnknownRef(err)) return null;
        return call(`comparing ${base}...${head}`, () => Promise.reject(err));
      }
    },

    async getPullRequest(number) {
      try {
        const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
        return {
          number: data.number,
          title: data.title,
          url: data.html_url,
          state: data.state === 'open' ? 'open' : 'closed',
          merged: data.merged,
          mergeCommitSha: data.merged ? data.merge_commit_sha : null,
          baseRef: data.base.ref,
        };
      } catch (err) {
        if (toGitHubError(err) instanceof GitHubNotFoundError) return null;
        return call(`reading pull request #${number}`, () => Promise.reject(err));
      }
    },

    async getPublicEmail(login) {
      try {
        const { data } = await octokit.rest.users.getByUsername({ username: login });
        return 'email' in data && typeof data.email === 'string' && data.email !== '' ? data.email : null;
      } catch (err) {
        if (toGitHubError(err) instanceof GitHubNotFoundError) return null;
        return call(`reading the profile of ${login}`, () => Promise.reject(err));
      }
    },

    listMergedPullRequestsSince({ baseBranch, since }) {
      return call('listing merged pull requests', async () => {
        const merged = new Map<number, MergedPullRequest>();
        let cursor: string | null = null;
        for (let pages = 1; ; pages++) {
          const response: MergedPullRequestsResponse = await graphql<MergedPullRequestsResponse>(
            octokit,
            MERGED_PULL_REQUESTS_QUERY,
            'MergedPullRequests',
            { owner, name: repo, base: baseBranch, cursor },
          );
          if (!response.repository) throw repositoryNotFound();
          const page = response.repository.pullRequests;
          const { merged: found, reachedOlder } = readMergedPage(page, since);
          for (const pr of found) merged.set(pr.number, pr);
          cursor = page.pageInfo.endCursor;
          if (reachedOlder || !page.pageInfo.hasNextPage || cursor === null) break;
          if (pages >= MAX_PULL_REQUEST_PAGES) {
            log.warn({ pages, merged: merged.size }, 'GitHub: too many pages of merged pull requests, stopping');
            break;
          }
        }
        return [...merged.values()].sort((a, b) => a.mergedAt.localeCompare(b.mergedAt) || a.number - b.number);
      });
    },

    async getPullRequestState(number) {
      try {
        const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
        return {
          number: data.number,
          state: data.merged ? 'merged' : data.state === 'open' ? 'open' : 'closed',
          mergedAt: data.merged_at ?? null,
          headSha: data.head.sha,
          authorLogin: data.user?.login ?? null,
        };
      } catch (err) {
        if (toGitHubError(err) instanceof GitHubNotFoundError) return null;
        return call(`reading pull request #${number}`, () => Promise.reject(err));
      }
    },

    async listTagNames(prefix) {
      return call(`listing tags ${prefix}*`, async () => {
        const { data } = await octokit.rest.git.listMatchingRefs({ owner, repo, ref: `tags/${prefix}` });
        return data.map((ref) => ref.ref.replace(/^refs\/tags\//, ''));
      });
    },
  };
}

function graphql<T>(octokit: ConfiguredOctokit, query: string, operationName: string, variables: Record<string, unknown>): Promise<T> {
  return octokit.graphql<T>(query, { operationName, ...variables });
}
