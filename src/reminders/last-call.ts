/**
 * The last call, `lastCallMinutesBeforeCutoff` before the cutoff (same day),
 * in the team channel: what is still open with the authors' answers, the
 * deploy notes so far, and the pre-cut checks (patches waiting, open release
 * blockers, CI on main's head). Posted once; on the last attempt it goes out
 * without what GitHub could not tell.
 */
import { recordAudit } from '../audit/audit-store';
import type { AppDeps } from '../deps';
import { postChannelReminder, type ReminderFireOptions } from './channel-reminder';
import type { PullRequestSummary } from '../github/client';
import { GitHubError } from '../github/errors';
import { listNotes } from '../notes/notes-store';
import { findOwnerOfTrain } from '../rotation/owner';
import { failingCi } from '../tagging/plan-cut';
import { loadAnswers, loadSweptPullRequests } from './answer-store';
import { createAuthorDirectory } from './author-directory';
import { renderLastCall } from './last-call-view';
import { gatherPrecutChecks } from './precut-checks';
import { readOpenPullRequests } from './sweep';

/** Checks failing on the main branch's head; null when the branch does not exist. */
async function failingOnMain(deps: AppDeps): Promise<string[] | null> {
  const head = await deps.github.getBranchHead(deps.config.settings.mainBranch);
  if (head === null) return null;
  const [runs, statuses] = await Promise.all([deps.github.listCheckRuns({ ref: head }), deps.github.listCommitStatuses(head)]);
  return failingCi(runs, statuses);
}

export async function postLastCall(options: ReminderFireOptions): Promise<void> {
  const { deps, train, now } = options;
  const { settings } = deps.config;
  const schedule = deps.calendar.getTrain(train);
  if (now >= schedule.cutoff) {
    deps.logger.warn({ train }, 'reminders: the last call is due after the cutoff; not posting it');
    return;
  }
  const warnings: string[] = [];
  let open: PullRequestSummary[] | null = null;
  let failing: string[] | null = null;
  try {
    [open, failing] = await Promise.all([readOpenPullRequests(deps), failingOnMain(deps)]);
  } catch (error) {
    if (!(error instanceof GitHubError) || !options.lastAttempt) throw error;
    warnings.push(`${error.userMessage} Open pull requests and CI on ${settings.mainBranch} are not shown.`);
  }
  const [ownerSlackId, answers, swept, notes, checks] = await Promise.all([
    findOwnerOfTrain(deps, train),
    loadAnswers(deps.db.prisma, train),
    loadSweptPullRequests(deps.db.prisma, train),
    listNotes(deps.db.prisma, train),
    gatherPrecutChecks({ deps, openPullRequests: open, failingOnMain: failing }),
  ]);
  const authors = new Map<number, string | null>(swept.map((pr) => [pr.number, pr.authorSlackId]));
  const directory = await createAuthorDirectory({ deps, rosterOnly: true });
  for (const pr of open ?? []) if (!authors.has(pr.number)) authors.set(pr.number, await directory.slackUserFor(pr.authorLogin));
  const owner = ownerSlackId ? await deps.slackDirectory.findUser(ownerSlackId) : null;
  const ready = open?.filter((pr) => !pr.isDraft) ?? null;
  const message = renderLastCall(
    {
      train: schedule,
      now,
      ownerName: owner?.displayName ?? ownerSlackId,
      open: ready?.map((pr) => ({ pr, answer: answers.get(pr.number) ?? null, authorSlackId: authors.get(pr.number) ?? null })) ?? null,
      drafts: open ? open.length - (ready?.length ?? 0) : 0,
      notes: { total: notes.length, forSre: notes.filter((note) => note.forSre).length },
      checks,
      authors,
      warnings,
    },
    settings,
  );
  const outcome = await postChannelReminder({ ...options, kind: 'last-call', message, what: 'last call' });
  if (outcome.outcome === 'posted') {
    await recordAudit(deps.db.prisma, {
      actor: 'system',
      action: 'reminders.last-call',
      subject: `train:${train}`,
      details: { ts: outcome.ts, open: ready?.map((pr) => pr.number) ?? null },
      at: now,
    });
  }
}
