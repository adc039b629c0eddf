/**
 * What the tag confirmation adds to a cut's plan before the owner decides
 * (types only; plan-cut.ts computes them, tag-view.ts renders them): the pull
 * requests merged into main after the train's cutoff (the workflow tags main's
 * head, so they would ride this train), and the pre-cut checks.
 */
import type { MergedPullRequest } from '../github/types';
import type { PrecutChecks } from '../reminders/precut-checks';
import type { CutPlan } from './outcomes';

/** Pull requests merged after the cutoff: none, some, or not known (GitHub's words). */
export type LateMerges =
  | { kind: 'none' }
  | { kind: 'merged'; cutoff: Date; pullRequests: MergedPullRequest[] }
  | { kind: 'unknown'; message: string };

export interface PrecutPlan extends CutPlan {
  late: LateMerges;
  precut: PrecutChecks;
}

/** The value of "Cut anyway" (and of Cancel on a confirmation with late merges): the train, the commit, the late PRs. */
export interface LateDecisionValue {
  train: number;
  sha: string;
  late: number[];
}
