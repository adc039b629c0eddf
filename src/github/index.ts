// Public surface of the GitHub adapter.
export { createGitHubClient, type GitHubClient, type GitHubClientOptions } from './client';
export {
  GitHubBadRequestError,
  GitHubError,
  GitHubNotFoundError,
  GitHubPermissionError,
  GitHubRateLimitedError,
  GitHubTimeoutError,
  GitHubUnavailableError,
  toGitHubError,
  type GitHubErrorKind,
  type UnavailableReason,
} from './errors';
export { createOctokit, DEFAULT_REQUEST_TIMEOUT_MS, MAX_RATE_LIMIT_WAIT_SECONDS, type ConfiguredOctokit, type OctokitFactoryOptions } from './octokit';
export type { CheckRunSummary, CommitStatusSummary, CommitWithMessage, ReleaseGitHubApi, WorkflowRunSummary } from './releases';
export type * from './types';
