/**
 * A whole dot release with the step-wise operations of `GitRepository`: classify, pick one commit at a time,
 * push `train-N` fast-forward only, tag `v1.N.P` by itself. The CLI and the bench use it; the Slack side runs the
 * same steps itself, recording each one.
 */
import type { GitRepository } from './types';

/** Issue 14 item 7's JSON shape. */
export interface DotReleaseReport {
  /** Commits picked (full SHAs of the commits on main), in order. */
  picked: string[];
  /** Commits skipped as already on the train, with how they were matched. */
  skipped: Array<{ sha: string; matchedBy: string; trainCommit: string }>;
  /** The first conflict (nothing pushed to train-N then), or null. */
  conflict: { commit: string; files: string[] } | null;
  /** The tree SHA of the result (train-N after the picks). */
  tree: string;
  /** The tag (`v1.N.P`) created, or that would be created in a dry run; null after a conflict. */
  tag: string | null;
}

export async function runDotRelease(_input: {
  repository: GitRepository;
  train: number;
  commits: string[];
  dryRun?: boolean;
  workBranch?: string;
}): Promise<DotReleaseReport> {
  throw new Error('not yet');
}
