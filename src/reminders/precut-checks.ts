/**
 * The checks before a cut (the team's steps 1 and 2): critical patches not
 * landed yet (patch requests awaiting a decision, dot releases planned and not
 * tagged), open pull requests labelled as release blockers, and CI failing on
 * `main`'s head. Shown in the tag confirmation and the last call; gathered
 * from what the caller already read from GitHub, plus the patch tables.
 */
import type { Settings } from '../config';
import type { AppDeps } from '../deps';
import type { PullRequestSummary } from '../github/client';
import { loadPatchOverview, type PatchOverview } from '../patches/patch-store';
import { escapeMrkdwn, link, mentionUser } from '../slack/mrkdwn';

export interface PrecutChecks {
  /** Patch requests awaiting a decision and planned dot releases (any train they are for). */
  patches: PatchOverview;
  /** Open pull requests with a `releaseBlockerLabels` label; null when GitHub did not list the open PRs. */
  blockers: PullRequestSummary[] | null;
  /** Checks failing on the main branch's head; null when not known. */
  failingOnMain: string[] | null;
}

/** Open pull requests labelled as release blockers (labels compared without case). */
export function releaseBlockers(pullRequests: readonly PullRequestSummary[], labels: readonly string[]): PullRequestSummary[] {
  const wanted = new Set(labels.map((label) => label.toLowerCase()));
  return pullRequests.filter((pr) => pr.labels.some((label) => wanted.has(label.toLowerCase())));
}

export async function gatherPrecutChecks(options: {
  deps: AppDeps;
  openPullRequests: readonly PullRequestSummary[] | null;
  failingOnMain: string[] | null;
}): Promise<PrecutChecks> {
  const { deps } = options;
  return {
    patches: await loadPatchOverview(deps.db.prisma),
    blockers: options.openPullRequests ? releaseBlockers(options.openPullRequests, deps.config.settings.releaseBlockerLabels) : null,
    failingOnMain: options.failingOnMain,
  };
}

/** Whether anything stands in the way (unknowns are not counted). */
export function hasPrecutFindings(checks: PrecutChecks): boolean {
  return (
    checks.patches.pending.length > 0 ||
    checks.patches.planned.length > 0 ||
    (checks.blockers?.length ?? 0) > 0 ||
    (checks.failingOnMain?.length ?? 0) > 0
  );
}

/**
 * The checks as mrkdwn lines, each a finding or "none". People are named by
 * mention only where `authorOf` gives one (the last call mentions the authors of
 * release blockers, who are asked to act). `withCi: false` leaves out main's CI
 * (the tag confirmation says it among its warnings).
 */
export function renderPrecutLines(
  checks: PrecutChecks,
  settings: Pick<Settings, 'mainBranch' | 'releaseBlockerLabels'>,
  options: { authorOf?: (pr: PullRequestSummary) => string | null; withCi?: boolean } = {},
): string[] {
  const lines: string[] = [];
  const { pending, planned } = checks.patches;
  if (pending.length === 0 && planned.length === 0)
    lines.push(':white_check_mark: No patch request is waiting and no dot release is planned.');
  for (const request of pending) {
    lines.push(`:hourglass: Patch request #${request.id} for train ${request.train} awaits the owner's decision.`);
  }
  for (const plan of planned) {
    lines.push(
      `:package: Dot release \`${escapeMrkdwn(plan.tag)}\` of train ${plan.train} is planned (${plan.requests} approved request${plan.requests === 1 ? '' : 's'}) and not tagged yet.`,
    );
  }
  const labels = settings.releaseBlockerLabels.map((label) => `\`${escapeMrkdwn(label)}\``).join(', ');
  if (checks.blockers === null) lines.push(':grey_question: Could not list the open pull requests, so release blockers are not known.');
  else if (checks.blockers.length === 0) {
    if (settings.releaseBlockerLabels.length > 0) lines.push(`:white_check_mark: No open pull request is labelled ${labels}.`);
  } else {
    for (const pr of checks.blockers) {
      const slack = options.authorOf?.(pr) ?? null;
      const author = slack ? mentionUser(slack) : escapeMrkdwn(pr.authorLogin ?? 'unknown');
      lines.push(`:rotating_light: Release blocker still open: ${link(pr.url, `#${pr.number} ${pr.title}`)} by ${author}`);
    }
  }
  if (options.withCi === false) return lines;
  const main = `\`${escapeMrkdwn(settings.mainBranch)}\``;
  if (checks.failingOnMain === null) lines.push(`:grey_question: CI on ${main}'s head is not known.`);
  else if (checks.failingOnMain.length === 0) lines.push(`:white_check_mark: Nothing failing on ${main}'s head.`);
  else lines.push(`:x: CI failing on ${main}'s head: ${checks.failingOnMain.map((name) => `\`${escapeMrkdwn(name)}\``).join(', ')}.`);
  return lines;
}
