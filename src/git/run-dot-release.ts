/**
 * A whole dot release with the step-wise operations of `GitRepository`: classify, pick one commit at a time,
 * push `train-N` fast-forward only, tag `v1.N.P` by itself. The CLI and the bench use it; the Slack side runs the
 * same steps itself, recording each one.
 */
import { GitError } from './errors';
import type { GitRepository, MatchedBy, PickBase } from './types';

/** Issue 14 item 7's JSON shape. */
export interface DotReleaseReport {
  /** Commits picked (full SHAs of the commits on main), in order. */
  picked: string[];
  /** Commits skipped as already on the train, with how they were matched. */
  skipped: Array<{ sha: string; matchedBy: Exclude<MatchedBy, 'subject'> | 'empty-pick'; trainCommit: string }>;
  /** The first conflict (nothing pushed to train-N then), or null. */
  conflict: { commit: string; files: string[] } | null;
  /** The tree SHA of the result (train-N after the picks). */
  tree: string;
  /** The tag (`v1.N.P`) created, or that would be created in a dry run; null after a conflict or when nothing was picked. */
  tag: string | null;
}

/**
 * Runs every step: classify, pick one commit at a time (stop at the first conflict: nothing pushed to train-N),
 * push train-N fast-forward only, tag. If train-N moved meanwhile, picks again once on its new tip, then stops.
 * With `dryRun`, every step but the pushes.
 * @throws GitError from the steps (`remote-moved` when train-N moved twice)
 */
export async function runDotRelease(input: {
  repository: GitRepository;
  train: number;
  commits: string[];
  dryRun?: boolean;
  /** The hand-off branch for clean picks (e.g. `dot/train-301.2`); none by default. */
  workBranch?: string;
}): Promise<DotReleaseReport> {
  const { repository, train, dryRun } = input;
  for (let attempt = 1; ; attempt += 1) {
    const plan = await repository.classify({ train, commits: input.commits });
    const skipped: DotReleaseReport['skipped'] = plan.commits.flatMap((c) =>
      c.status === 'already-on-train' ? [{ sha: c.sha, matchedBy: c.matchedBy, trainCommit: c.trainCommit }] : [],
    );
    const picked: string[] = [];
    let base: PickBase = { kind: 'train' };
    let head = plan.trainHead;
    let tree = await repository.treeOf(head);
    for (const commit of plan.commits) {
      if (commit.status !== 'to-pick') continue;
      const result = await repository.pick({ train, base, commit: commit.sha, workBranch: dryRun ? undefined : input.workBranch });
      if (result.kind === 'conflict') {
        return { picked, skipped, conflict: { commit: result.commit, files: result.files }, tree, tag: null };
      }
      if (result.empty) skipped.push({ sha: commit.sha, matchedBy: 'empty-pick', trainCommit: head });
      else picked.push(commit.sha);
      head = result.head;
      tree = result.tree;
      base = { kind: 'commit', sha: head, branch: input.workBranch };
    }
    // Everything already on the train: nothing to release (a second run never tags the same commits again).
    if (picked.length === 0) return { picked, skipped, conflict: null, tree, tag: null };
    const pushed = await repository.pushTrain({ train, head, expectedOld: plan.trainHead, dryRun });
    if (pushed.kind === 'remote-moved') {
      if (attempt >= 2) {
        throw new GitError(
          'remote-moved',
          `${pushed.branch} moved on the remote twice while I was picking; I pushed nothing. Try again when nobody else is pushing to it.`,
        );
      }
      continue;
    }
    const tagged = await repository.tag({ train, commit: head, expectedTag: plan.nextTag, dryRun });
    return { picked, skipped, conflict: null, tree, tag: tagged.tag };
  }
}
