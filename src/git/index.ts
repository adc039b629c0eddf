/**
 * The git adapter: real repositories through `simple-git`, knowing nothing of
 * features. See ./README.md for the design (cache, worktrees, locks,
 * credentials) and the step-wise dot-release operations.
 *
 * Every operation on a repository runs under that repository's lock: one
 * in-process mutex plus `RepositoryLock` (a PostgreSQL advisory lock across
 * replicas in the bot, nothing in the CLI). Every push goes through one
 * internal function (`pushRefs`), where a push guard can be added later.
 */
import { createGitRepositoriesImpl } from './repositories';
import type { GitRepositories, GitRepositoriesOptions } from './types';

export { GitError, type GitErrorCode } from './errors';
export { advisoryRepositoryLock, noRepositoryLock } from './lock';
export { checkGitVersion, MINIMUM_GIT_VERSION, type GitVersionCheck } from './version';

export type {
  ClassifiedCommit,
  DeleteWorkBranchResult,
  DotReleasePlan,
  ForwardPort,
  GitCredentials,
  GitFormats,
  GitRepositories,
  GitRepositoriesOptions,
  GitRepository,
  MatchedBy,
  PickBase,
  PickResult,
  PushTrainResult,
  RepositoryLock,
  TagResult,
  TrainBranch,
  WhereIs,
} from './types';

/**
 * Builds the adapter. Nothing touches the disk or the network until an operation runs.
 */
export function createGitRepositories(options: GitRepositoriesOptions): GitRepositories {
  return createGitRepositoriesImpl(options);
}

/** Renders a whole dot release (classify, pick each, push, tag) with these steps: used by the CLI and the bench. */
export { runDotRelease, type DotReleaseReport } from './run-dot-release';

/** Issue 16: the private repository of security releases and its push guard; stage deploys. */
export { createPrivateRepository, privateCounted, type LeakingCommit, type PrivateRepository } from './private-guard';
export type { ExtraOperations, GitGuard } from './extension-types';
export { defaultStageTag, runStageDeploy, servicesOf, stageTagProblem, type StageDeployReport } from './stage-tag';
