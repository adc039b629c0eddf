/**
 * The types of the git adapter's port (re-exported by ./index.ts).
 */
import type { Logger } from '../logger';
import type { ExtraOperations, GitGuard } from './extension-types';

/** The branch and tag formats (see src/train/versions.ts); FxA's by default. */
export interface GitFormats {
  /** Default `train-{N}`; `train-0N` (historical leading zero) is accepted too when reading branches. */
  branchFormat?: string;
  /** Default `v1.{N}.{P}`. */
  tagFormat?: string;
}

/** Credentials for HTTPS remotes (e.g. `GitHubClient.gitCredentials`), asked for before each network operation; null: none. */
export type GitCredentials = () => Promise<{ username: string; password: string } | null>;

/**
 * Holds a lock on one repository (by its key, the remote URL or path) across replicas while `work` runs.
 * `advisoryRepositoryLock(sql)` in the bot; `noRepositoryLock` for the CLI (no database).
 */
export type RepositoryLock = <T>(repositoryKey: string, work: () => Promise<T>) => Promise<T>;

export interface GitRepositoriesOptions {
  /** Caches go under `<dataDir>/git/<safe-name>` (one bare partial clone per remote). */
  dataDir: string;
  logger: Logger;
  /** For HTTPS remotes; given to git through GIT_ASKPASS (never a URL, argv or log line). */
  credentials?: GitCredentials;
  /** Default: no cross-replica lock (only the in-process mutex). */
  lock?: RepositoryLock;
  /** The environment of git processes (PATH, HOME…): `process.env` from the edge. Default: empty. */
  env?: Record<string, string | undefined>;
  /** The branch dot releases take commits from; default `main`. */
  mainBranch?: string;
  /** The git executable; default `git` from PATH. */
  gitBinary?: string;
  formats?: GitFormats;
  /** Issue 16: the private repository's guard (src/git/private-guard.ts), asked before every push and when numbering. */
  guard?: GitGuard;
}

/** The port in AppDeps: one `GitRepository` per remote (URL or local path), cached. */
export interface GitRepositories {
  /** The repository at `remote` (URL or local path). Cheap: nothing is fetched until an operation runs. */
  open(remote: string): GitRepository;
}

/** A train branch on the remote. */
export interface TrainBranch {
  train: number;
  /** `train-301` (or historical `train-01`). */
  branch: string;
  /** Commit at the tip of the branch on the remote, as last fetched. */
  head: string;
}

/** How a commit was found on a branch. */
export type MatchedBy = 'same-commit' | 'patch-id' | 'trailer' | 'subject';

/** One commit of a dot-release plan, classified against `train-N`. */
export type ClassifiedCommit =
  | { sha: string; subject: string; status: 'to-pick' }
  /** Already on the train: skipped, and said so. `trainCommit` is the commit on the train that matched. */
  | { sha: string; subject: string; status: 'already-on-train'; matchedBy: Exclude<MatchedBy, 'subject'>; trainCommit: string };

/** The result of `classify`: what a dot release of `train` would do, in `main` order. */
export interface DotReleasePlan {
  train: number;
  /** `train-N` as found on the remote. */
  branch: string;
  /** Tip of `train-N` on the remote when classified: the base of the first pick and the expected old value of the push. */
  trainHead: string;
  /** Every commit asked for, full SHA, in `main` order (first to pick first). */
  commits: ClassifiedCommit[];
  /** The tag the release would get now (`v1.N.P`, P = highest patch tag of the train + 1). Re-checked by `tag`. */
  nextTag: string;
}

/** Where a pick starts: the train's remote tip, or a commit (a previous pick), fetched from `branch` if the cache lacks it. */
export type PickBase = { kind: 'train' } | { kind: 'commit'; sha: string; branch?: string };

/** The result of cherry-picking one commit with `-x`. */
export type PickResult =
  /** `head`: the new commit (pass it as the next base); `tree`: its tree. `empty`: nothing changed (already applied), `head` = base. */
  | { kind: 'picked'; commit: string; head: string; tree: string; empty: boolean }
  /** Stopped: `files` in conflict; nothing was pushed to `train-N`; `base` is unchanged. */
  | { kind: 'conflict'; commit: string; files: string[]; base: string };

/** The result of pushing `train-N` (fast-forward only). */
export type PushTrainResult =
  /** Pushed now (`old` → `head`). */
  | { kind: 'pushed'; branch: string; old: string; head: string }
  /** The remote already has `head` (or a descendant of it) on `train-N`: a resumed run pushed it before. */
  | { kind: 'already-pushed'; branch: string; head: string; remoteHead: string }
  /** `train-N` moved on the remote (it is not `expectedOld`): nothing pushed; fetch, redo the picks on `remoteHead`, or stop. */
  | { kind: 'remote-moved'; branch: string; expectedOld: string; remoteHead: string };

/** The result of deleting a hand-off branch. */
export type DeleteWorkBranchResult =
  /** Deleted from the remote (it was at `head`). */
  | { kind: 'deleted'; head: string }
  /** Not on the remote (deleted before, or never pushed): nothing to do. */
  | { kind: 'absent' }
  /** Left as it is: it holds commits not in `mergedInto`. */
  | { kind: 'kept'; head: string }
  /** Left as it is: someone pushed to it between the read and the delete (it is now at `head`). */
  | { kind: 'moved'; head: string };

/** The result of tagging. */
export type TagResult =
  /** Created and pushed by itself (`refs/tags/v1.N.P`). */
  | { kind: 'tagged'; tag: string; commit: string }
  /** The tag already exists on the remote on this very commit (a resumed run pushed it): nothing done. */
  | { kind: 'already-tagged'; tag: string; commit: string };

/** One lower/upper pair and one fix on the lower train (issue 14 item 7's JSON entry). */
export interface ForwardPort {
  lower: number;
  upper: number;
  sha: string;
  subject: string;
  /** Whether the fix was found on the upper train (by `matchedBy`); `subject` only: for a person to judge. */
  onUpper: boolean;
  matchedBy: MatchedBy | null;
}

/** Where a commit is: trains and release tags, directly or as a cherry-pick. */
export interface WhereIs {
  sha: string;
  subject: string;
  /** Whether it is on `main`. */
  onMain: boolean;
  trains: Array<{ train: number; branch: string; matchedBy: Exclude<MatchedBy, 'subject'>; commit: string; tags: string[] }>;
}

/** One repository: every method fetches what it needs first and runs under the repository's lock. */
export interface GitRepository extends ExtraOperations {
  /** The remote as given (path or URL without credentials). */
  readonly remote: string;

  /** The tree of a commit in the cache (the `tree` of a report before any pick). */
  treeOf(commit: string): Promise<string>;

  /** Fetches (partial: no blobs) and lists the train branches, ascending. */
  listTrains(): Promise<TrainBranch[]>;

  /**
   * Step 1. Classifies `commits` (full or abbreviated SHAs) for a dot release of `train`: on `main`? already on
   * `train-N` (ancestry, `git patch-id --stable`, or a `(cherry picked from commit X)` trailer)? In `main` order.
   * @throws GitError `empty-plan`, `unknown-commit`, `not-on-main` (listing every bad SHA), `no-train-branch`, `network`, `disk-full`
   */
  classify(input: { train: number; commits: string[] }): Promise<DotReleasePlan>;

  /**
   * Step 2, once per commit to pick: `git cherry-pick -x <commit>` in a fresh worktree on `base`.
   * Pushes nothing to `train-N`. With `workBranch` (e.g. `dot/train-301.2`), a clean pick is pushed there
   * (force-with-lease onto its old value: it is the bot's own hand-off branch), and on a conflict the base is
   * pushed there, so a person can finish by hand and the run can resume on any replica.
   * @throws GitError `unknown-commit`, `no-train-branch`, `network`, `disk-full`, `push-rejected` (work branch)
   */
  pick(input: { train: number; base: PickBase; commit: string; workBranch?: string }): Promise<PickResult>;

  /**
   * Reads a hand-off branch (e.g. `dot/train-301.2` after a person resolved a conflict): its head and the
   * commits on it that are not on `train-N`, oldest first, each with the SHA its `-x` trailer names (or null).
   * Null when the branch does not exist.
   */
  readWorkBranch(input: { train: number; workBranch: string }): Promise<{
    head: string;
    commits: Array<{ sha: string; subject: string; pickedFrom: string | null }>;
  } | null>;

  /**
   * Deletes the hand-off branch `workBranch` (e.g. `dot/train-301.2`) from the remote once its dot release is over:
   * a delete refspec through the one push, leased on the head just fetched (never a force of anything else).
   * `absent` when it is not there (idempotent). With `mergedInto` (the tagged commit), a branch holding commits not
   * in it is `kept`; one pushed to meanwhile is `moved`, one deleted meanwhile `absent`.
   * @throws GitError `push-rejected`, `network`
   */
  deleteWorkBranch(input: { workBranch: string; mergedInto?: string }): Promise<DeleteWorkBranchResult>;

  /**
   * Step 3. Pushes `head` to `train-N`, fast-forward only, never forced, if the remote is still `expectedOld`.
   * With `dryRun`, checks everything but does not push (returns `pushed`).
   * @throws GitError `push-rejected` (protected branch, hook), `not-fast-forward` (head does not descend from expectedOld), `network`
   */
  pushTrain(input: { train: number; head: string; expectedOld: string; dryRun?: boolean }): Promise<PushTrainResult>;

  /**
   * Step 4. Re-reads the remote's tags, then creates the annotated tag `v1.N.P` (message `Train release v1.N.P`)
   * on `commit` and pushes it by itself (`refs/tags/v1.N.P`, never `--tags`). `expectedTag`: the tag planned
   * (e.g. from `classify`); if the numbering moved meanwhile the call fails with `tag-appeared` (and the next free
   * tag in its message) rather than tag something else. With `dryRun`, computes but does not push.
   * @throws GitError `tag-appeared`, `push-rejected`, `network`
   */
  tag(input: { train: number; commit: string; expectedTag?: string; dryRun?: boolean }): Promise<TagResult>;

  /**
   * Fixes on each lower train (after its branch point) and whether they are on each newer cut train.
   * `train`: only pairs whose lower is that train; otherwise pairs among the `recent` (default 3) newest trains.
   */
  forwardPorts(input?: { train?: number; recent?: number }): Promise<ForwardPort[]>;

  /**
   * Which train branches and release tags contain `sha`, directly or as a cherry-pick (patch-id or trailer).
   * @throws GitError `unknown-commit`
   */
  whereIs(sha: string): Promise<WhereIs>;
}
