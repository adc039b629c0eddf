// The GitHub adapter's entry point. It knows GitHub (REST, GraphQL, rate
// limits) and nothing of Slack or of the features that use it.

import type { Logger } from 'pino';
import { GitHubNotFoundError, GitHubPermissionError, toGitHubError } from './errors';
import { createAuthenticatedOctokit, type ConfiguredOctokit, type GitHubCredentials, type OctokitFactoryOptions } from './octokit';
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
import {
  PROFILE_BATCH_SIZE,
  partialAnswerOfMissingUsers,
  publicEmailsQuery,
  publicEmailsVariables,
  readPublicEmails,
  type PublicEmailsResponse,
} from './profiles';
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

export type { GitHubCredentials } from './octokit';
export type { GitHubAppCredentials } from './app-auth';

/** `token` (GITHUB_TOKEN), or `app` with the real clock: a GitHub App installation. */
export type GitHubClientOptions = GitHubCredentials & {
  /** https://api.github.com in production; the fake server's URL in tests. */
  baseUrl: string;
  owner: string;
  repo: string;
  logger: Logger;
  /** Timeout of each HTTP attempt. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** Retries of 5xx and network errors; the n-th retry waits n² × minRetryAfterMs (default 2 retries, 1000 ms). */
  retry?: { retries: number; minRetryAfterMs?: number };
  /** Told of every HTTP attempt and of the rate limit left (the metrics). */
  observer?: OctokitFactoryOptions['observer'];
};

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
   * The public e-mail on each profile (keyed by the login in lower case; null when the account has
   * none or does not exist), read in GraphQL batches of up to 100 logins a request. Answers are kept
   * until `keepUntil` (the end of the team's day): asking again for a login before then costs nothing.
   * A token without `read:user` (classic tokens need it for `User.email`) falls back to one REST
   * profile read per login, with a warning in the log.
   * @throws GitHubError when GitHub cannot answer
   */
  getPublicEmails(logins: readonly string[], options: { now: Date; keepUntil: Date }): Promise<Map<string, string | null>>;
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
  /**
   * Credentials for git over HTTPS (pushes to `https://github.com/owner/repo.git`): user `x-access-token`,
   * password `GITHUB_TOKEN` or a fresh GitHub App installation token. Ask before each push; never log the password.
   * @throws GitHubError when a new installation token cannot be had
   */
  gitCredentials(): Promise<{ username: 'x-access-token'; password: string }>;
  /** The same client (credentials, limits) for another repository, e.g. the private one of security releases. */
  forRepository(fullName: string): GitHubClient;
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
  const credentials: GitHubCredentials =
    options.app === undefined ? { token: options.token } : { app: options.app, wallClock: options.wallClock };
  const factoryOptions: OctokitFactoryOptions = { ...credentials, baseUrl: options.baseUrl, logger: options.logger };
  if (options.requestTimeoutMs !== undefined) factoryOptions.requestTimeoutMs = options.requestTimeoutMs;
  if (options.retry !== undefined) factoryOptions.retry = options.retry;
  if (options.observer !== undefined) factoryOptions.observer = options.observer;
  const { octokit, currentToken } = createAuthenticatedOctokit(factoryOptions);

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
  /** Public e-mails by login (lower case), each kept until the end of the day it was read on. */
  const publicEmails = new Map<string, { email: string | null; keepUntil: number }>();

  async function readPublicEmail(login: string): Promise<string | null> {
    try {
      const { data } = await octokit.rest.users.getByUsername({ username: login });
      return 'email' in data && typeof data.email === 'string' && data.email !== '' ? data.email : null;
    } catch (err) {
      if (toGitHubError(err) instanceof GitHubNotFoundError) return null;
      return call(`reading the profile of ${login}`, () => Promise.reject(err));
    }
  }

  /** One GraphQL request for up to 100 logins; null when the token may not read `User.email`. */
  async function readPublicEmailBatch(logins: string[]): Promise<Map<string, string | null> | null> {
    let data: PublicEmailsResponse;
    try {
      data = await graphql<PublicEmailsResponse>(octokit, publicEmailsQuery(logins.length), 'PublicEmails', publicEmailsVariables(logins));
    } catch (err) {
      const partial = partialAnswerOfMissingUsers(err);
      if (partial) {
        data = partial;
      } else {
        const error = toGitHubError(err);
        if (!(error instanceof GitHubPermissionError) || error.status !== 200) {
          return call('reading GitHub profiles', () => Promise.reject(err));
        }
        log.warn(
          { tokenScopes: error.tokenScopes, err: error.message },
          'GitHub: the token may not read e-mails over GraphQL (a classic token needs the read:user scope); reading one profile at a time over REST',
        );
        return null;
      }
    }
    return readPublicEmails(logins, data);
  }

  async function readManyPublicEmails(logins: string[]): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    for (let start = 0; start < logins.length; start += PROFILE_BATCH_SIZE) {
      const batch = logins.slice(start, start + PROFILE_BATCH_SIZE);
      const emails = await readPublicEmailBatch(batch);
      if (emails) {
        for (const [login, email] of emails) found.set(login, email);
        continue;
      }
      for (const login of logins.slice(start)) found.set(login, await readPublicEmail(login));
      break;
    }
    return found;
  }

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
    ...createReleaseApi({ octokit, owner, repo, call, log }),

    async gitCredentials() {
      return { username: 'x-access-token', password: await call('getting a token for git', currentToken) };
    },

    forRepository(fullName) {
      const [otherOwner = '', otherRepo = ''] = fullName.split('/');
      return createGitHubClient({ ...options, owner: otherOwner, repo: otherRepo });
    },

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

    getPublicEmail: readPublicEmail,

    async getPublicEmails(logins, { now, keepUntil }) {
      const wanted = [...new Set(logins.map((login) => login.toLowerCase()))];
      const answer = new Map<string, string | null>();
      const missing: string[] = [];
      for (const login of wanted) {
        const kept = publicEmails.get(login);
        if (kept && kept.keepUntil > now.getTime()) answer.set(login, kept.email);
        else missing.push(login);
      }
      if (missing.length === 0) return answer;
      const read = await readManyPublicEmails(missing);
      for (const [login, email] of read) {
        answer.set(login, email);
        publicEmails.set(login, { email, keepUntil: keepUntil.getTime() });
      }
      // Entries of earlier days go, so the map holds at most one day's authors.
      for (const [login, kept] of publicEmails) if (kept.keepUntil <= now.getTime()) publicEmails.delete(login);
      return answer;
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
