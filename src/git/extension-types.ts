/**
 * The port additions of issue 16 (security releases, stage deploys), kept apart from ./types.ts so that
 * the files implementing them (./private-guard.ts, ./stage-tag.ts) and ./types.ts import no cycle.
 */

/** What the public adapter asks before pushing and when numbering (the `guard` option of `createGitRepositories`). */
export interface GitGuard {
  /**
   * Refuses (GitError `private-leak`, listing the offending commits) a push to the public repository that would
   * carry anything only the private repository has. `git` runs in the public cache.
   */
  checkPush(push: { remote: string; refspecs: string[]; git: GuardGit }): Promise<void>;
  /** The private repository's release tags, in the public tag format: they count when numbering a dot release. */
  countedTags(): Promise<string[]>;
}

/** The operations this file adds to `GitRepository`. */
export interface ExtraOperations {
  /**
   * Creates the annotated tag `tag` (message `message`) on `commit` and pushes `refs/tags/<tag>` by itself.
   * Refused (`tag-appeared`) when the remote already has that tag. With `dryRun`, checks but pushes nothing.
   * @throws GitError `tag-appeared`, `unknown-commit`, `push-rejected`, `private-leak`, `network`
   */
  pushTag(input: { tag: string; commit: string; message: string; dryRun?: boolean }): Promise<{ tag: string; commit: string }>;
  /** The remote's tag names (as fetched now), e.g. to find the release before a tag without asking GitHub. */
  listTags(): Promise<string[]>;
  /** The paths that differ between two commits (or tags) of the cache, sorted. Fetches first. */
  changedPaths(input: { from: string; to: string }): Promise<string[]>;
  /**
   * Applies `patches` (an mbox, `git format-patch --stdout`, touching `paths`) with `git am --3way` on the remote's
   * `base` branch in a fresh (sparse) worktree, then pushes the result as the NEW branch `branch` (refused if it exists). Returns its head and
   * whether it conflicted (then nothing is pushed).
   * @throws GitError `tag-appeared` (the branch exists), `push-rejected`, `private-leak`, `network`
   */
  applyPatches(input: {
    base: string;
    patches: string;
    /** The files the patches touch (the worktree checks out only these). */
    paths: string[];
    branch: string;
    dryRun?: boolean;
  }): Promise<{ kind: 'pushed'; branch: string; head: string } | { kind: 'conflict'; files: string[] }>;
}

/** Runs git in the public cache (`network`: it may fetch blobs of the partial clone). */
export type GuardGit = (args: string[], options?: { network?: boolean }) => Promise<string>;
