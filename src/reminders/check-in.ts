/**
 * The check-in, a working day before the cutoff: tells the team channel who
 * owns the train, when the cutoff is (PT/ET/UTC and each reader's own zone),
 * the open PRs into main by author, and asks for deploy notes. Posted once
 * (the message ledger); when GitHub fails on the last attempt it goes out
 * without the PR list rather than not at all.
 */
import { postChannelReminder, type ReminderFireOptions } from './channel-reminder';
import { recordAudit } from '../audit/audit-store';
import { GitHubError } from '../github/errors';
import type { PullRequestSummary } from '../github/client';
import { countNotes } from '../notes/notes-store';
import { loadRoster } from '../rotation/roster-store';
import { findOwnerOfTrain } from '../rotation/owner';
import { readOpenPullRequests } from './sweep';
import { renderCheckIn } from './views';

export async function postCheckIn(options: ReminderFireOptions): Promise<void> {
  const { deps, train, now } = options;
  const { settings } = deps.config;
  const schedule = deps.calendar.getTrain(train);
  if (now >= schedule.cutoff) {
    deps.logger.warn({ train }, 'reminders: the check-in is due after the cutoff; not posting it');
    return;
  }
  let pullRequests: PullRequestSummary[] | null = null;
  let githubProblem: string | null = null;
  try {
    pullRequests = await readOpenPullRequests(deps);
  } catch (error) {
    if (!(error instanceof GitHubError) || !options.lastAttempt) throw error;
    githubProblem = error.userMessage;
  }
  const ownerSlackId = await findOwnerOfTrain(deps, train);
  const emoji = ownerSlackId
    ? ((await loadRoster(deps.db.prisma)).members.find((m) => m.slackUserId === ownerSlackId)?.emoji ?? null)
    : null;
  const noteCount = await countNotes(deps.db.prisma, train);
  const message = renderCheckIn(
    { train: schedule, owner: ownerSlackId ? { slackUserId: ownerSlackId, emoji } : null, pullRequests, githubProblem, noteCount },
    settings,
    now,
  );
  const outcome = await postChannelReminder({ ...options, kind: 'check-in', message, what: 'check-in' });
  if (outcome.outcome === 'posted') {
    await recordAudit(deps.db.prisma, {
      actor: 'system',
      action: 'reminders.check-in',
      subject: `train:${train}`,
      details: { ts: outcome.ts, openPullRequests: pullRequests?.length ?? null },
      at: now,
    });
  }
}
