/**
 * The cutoff message, at the cutoff, in the team channel: "tagging train N
 * now", the PRs that made it (merged since the previous cut), the PRs that
 * roll to the next train with their authors' answers, surprises (merged
 * after the author said it would roll), the deploy notes (SRE steps flagged),
 * and a pointer for the owner to `/release tag`. Two GitHub reads: the open
 * PRs and the merged ones. Posted once; on the last attempt it goes out
 * without what GitHub could not tell.
 */
import type { AppDeps } from '../deps';
import { recordAudit } from '../audit/audit-store';
import { GitHubError } from '../github/errors';
import type { MergedPullRequest, PullRequestSummary } from '../github/client';
import { listNotes } from '../notes/notes-store';
import { listFires } from '../scheduler';
import { findOwnerOfTrain } from '../rotation/owner';
import { loadAnswers, loadSweptPullRequests } from './answer-store';
import { createAuthorDirectory } from './author-directory';
import { reminderEntry } from './message-ledger';
import { refreshOwnerSummary } from './owner-summary';
import { withoutIgnored } from './pull-requests';
import { readOpenPullRequests } from './sweep';
import { renderCutoffMessage, shortTime } from './views';

/** The scheduler's name of the sweep job (its ledger rows tell which sweeps ran). */
export const SWEEP_JOB = 'pr-sweep';

export async function postCutoffMessage(options: {
  deps: AppDeps;
  train: number;
  scheduledAt: Date;
  now: Date;
  lastAttempt: boolean;
}): Promise<void> {
  const { deps, train, scheduledAt, now } = options;
  const { settings } = deps.config;
  const schedule = deps.calendar.getTrain(train);
  const warnings: string[] = [];
  let open: PullRequestSummary[] | null = null;
  let merged: MergedPullRequest[] | null = null;
  try {
    open = await readOpenPullRequests(deps);
    const since = deps.calendar.getTrain(train - 1).cutoff;
    const mergedSince = await deps.github.listMergedPullRequestsSince({ baseBranch: settings.mainBranch, since });
    merged = withoutIgnored(
      mergedSince.filter((pr) => Date.parse(pr.mergedAt) <= schedule.cutoff.getTime()),
      settings.ignoredPullRequestLabels,
    );
  } catch (error) {
    if (!(error instanceof GitHubError) || !options.lastAttempt) throw error;
    warnings.push(`${error.userMessage} The PRs that made it and those that roll are not listed.`);
    open = null;
    merged = null;
  }

  const [ownerSlackId, answers, swept, notes] = await Promise.all([
    findOwnerOfTrain(deps, train),
    loadAnswers(deps.db.prisma, train),
    loadSweptPullRequests(deps.db.prisma, train),
    listNotes(deps.db.prisma, train),
  ]);
  const authors = new Map<number, string | null>(swept.map((pr) => [pr.number, pr.authorSlackId]));
  // PRs the sweeps never saw (opened or merged in between): their authors through the roster only, no more lookups.
  const directory = await createAuthorDirectory({ deps, rosterOnly: true });
  for (const pr of [...(open ?? []), ...(merged ?? [])]) {
    if (!authors.has(pr.number)) authors.set(pr.number, await directory.slackUserFor(pr.authorLogin));
  }
  warnings.push(...(await sweepsThatDidNotRun(deps, scheduledAt)));

  const message = renderCutoffMessage({ train: schedule, ownerSlackId, merged, open, answers, authors, notes, warnings }, settings);
  const outcome = await deps.messenger.postOnce({
    ...reminderEntry({ train, kind: 'cutoff', scheduledAt, recipient: settings.announcementChannel }),
    to: { channel: settings.announcementChannel },
    message,
    now,
    ...(options.lastAttempt ? { giveUp: true } : {}),
  });
  if (outcome.outcome === 'failed') throw new Error(`the cutoff message of train ${train} could not be posted: ${outcome.error}`);
  if (outcome.outcome !== 'posted') return;
  await recordAudit(deps.db.prisma, {
    actor: 'system',
    action: 'reminders.cutoff',
    subject: `train:${train}`,
    details: {
      ts: outcome.ts,
      merged: merged?.map((pr) => pr.number) ?? null,
      rolled: open?.filter((pr) => !pr.isDraft).map((pr) => pr.number) ?? null,
    },
    at: now,
  });
  // The owner's summary says the train is cut (its answers are final now).
  await refreshOwnerSummary({ deps, train, ownerSlackId, now, create: false, cut: true }).catch((error: unknown) =>
    deps.logger.warn({ err: error, train }, 'reminders: could not mark the owner summary as cut'),
  );
}

/** Sweeps of `train` that failed or were missed, in words. */
async function sweepsThatDidNotRun(deps: AppDeps, cutoff: Date): Promise<string[]> {
  const { settings } = deps.config;
  const earliest = Math.max(0, ...settings.sweepMinutesBeforeCutoff);
  const fires = await listFires({ sql: deps.db.sql, job: SWEEP_JOB, from: new Date(cutoff.getTime() - earliest * 60_000 - 1), to: cutoff });
  return fires
    .filter((fire) => fire.status === 'failed' || fire.status === 'missed')
    .map((fire) => `The PR sweep of ${shortTime(fire.scheduledAt, settings)} did not run (${fire.status}); its authors were not asked.`);
}
