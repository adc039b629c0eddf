/**
 * Pure rules about open pull requests before a cutoff: which ones the
 * reminders look at (ignored labels and authors out), what stands between each and
 * merging, and how they group by author.
 */
import type { PullRequestSummary } from '../github/client';

/** What stands between a pull request and merging. */
export type Blocker = 'ci-failing' | 'changes-requested' | 'review-required' | 'conflict';

/** Words for each blocker, as people say them. */
export const BLOCKER_TEXT: Record<Blocker, string> = {
  'ci-failing': 'CI failing',
  'changes-requested': 'changes requested',
  'review-required': 'review missing',
  conflict: 'merge conflict',
};

const BLOCKER_EMOJI: Record<Blocker, string> = {
  'ci-failing': ':x:',
  'changes-requested': ':memo:',
  'review-required': ':eyes:',
  conflict: ':no_entry:',
};

/** What stands between `pr` and merging, most serious first. */
export function findBlockers(pr: Pick<PullRequestSummary, 'mergeable' | 'reviewDecision' | 'checksState'>): Blocker[] {
  const blockers: Blocker[] = [];
  if (pr.mergeable === 'CONFLICTING') blockers.push('conflict');
  if (pr.checksState === 'FAILURE' || pr.checksState === 'ERROR') blockers.push('ci-failing');
  if (pr.reviewDecision === 'CHANGES_REQUESTED') blockers.push('changes-requested');
  else if (pr.reviewDecision === 'REVIEW_REQUIRED') blockers.push('review-required');
  return blockers;
}

/** "CI failing, review missing", with emoji; or that nothing is in the way. */
export function describeBlockers(blockers: readonly string[]): string {
  const known = blockers.filter((b): b is Blocker => b in BLOCKER_TEXT);
  if (known.length === 0) return ':white_check_mark: nothing in the way';
  return known.map((b) => `${BLOCKER_EMOJI[b]} ${BLOCKER_TEXT[b]}`).join(' · ');
}

/** The settings saying which pull requests the bot leaves out (bots' dependency bumps, labelled noise). */
export interface IgnoredPullRequests {
  ignoredPullRequestLabels: readonly string[];
  ignoredPullRequestAuthors: readonly string[];
  /** A pull request with one of these labels is a release blocker: never left out, whoever wrote it. */
  releaseBlockerLabels: readonly string[];
}

const BOT_SUFFIX = '[bot]';

/**
 * Whether `login` is one of the ignored authors (`authors`: lower case). A
 * bot is spelled `dependabot[bot]` by REST and webhooks (and so by the
 * adapter) but `dependabot` by GraphQL and on its profile page: an entry
 * `dependabot[bot]` matches the bot, and an entry `dependabot` matches the
 * user of that name and the bot.
 */
function isIgnoredAuthor(login: string, authors: ReadonlySet<string>): boolean {
  const lower = login.toLowerCase();
  if (authors.has(lower)) return true;
  return lower.endsWith(BOT_SUFFIX) && authors.has(lower.slice(0, -BOT_SUFFIX.length));
}

/**
 * Pull requests without any of the ignored labels and not by an ignored
 * author (both compared without case, a bot by either spelling; a deleted
 * author is never ignored). A release blocker (a `releaseBlockerLabels`
 * label) is never left out: someone labelled it so that the cut waits for it,
 * even when a bot wrote it.
 */
export function withoutIgnored<T extends Pick<PullRequestSummary, 'labels' | 'authorLogin'>>(
  pullRequests: T[],
  ignore: IgnoredPullRequests,
): T[] {
  const labels = new Set(ignore.ignoredPullRequestLabels.map((label) => label.toLowerCase()));
  const authors = new Set(ignore.ignoredPullRequestAuthors.map((login) => login.toLowerCase()));
  if (labels.size === 0 && authors.size === 0) return pullRequests;
  const blockers = new Set(ignore.releaseBlockerLabels.map((label) => label.toLowerCase()));
  return pullRequests.filter(
    (pr) =>
      pr.labels.some((label) => blockers.has(label.toLowerCase())) ||
      (!(pr.authorLogin !== null && isIgnoredAuthor(pr.authorLogin, authors)) &&
        !pr.labels.some((label) => labels.has(label.toLowerCase()))),
  );
}

/** Groups by a key, keeping first-seen order of keys and the order within each group. */
export function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
