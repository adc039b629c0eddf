/**
 * The cutoff message, at the cutoff, in the team channel: "tagging train N
 * now", the PRs that made it (merged since the previous cut), the PRs that
 * roll to the next train with their authors' answers, surprises (merged
 * after the author said it would roll, or still open after "will land"), the deploy notes (SRE steps flagged),
 * a link to the train's thread (where tagging, CI and stage news go), and a
 * pointer for the owner to `/release tag`. Two GitHub reads: the open PRs and
 * the merged ones. Posted once; on the last attempt it goes out without what
 * GitHub could not tell. Then the special steps go to SRE (sre-handoff.ts).
 */
import type { AppDeps } from '../deps';
import { postChannelReminder, type ReminderFireOptions } from './channel-reminder';
import { recordAudit } from '../audit/audit-store';
import { GitHubError } from '../github/errors';
import type { MergedPullRequest, PullRequestSummary } from '../github/client';
import { listNotes } from '../notes/notes-store';
import { listFires } from '../scheduler';
import { findOwnerOfTrain } from '../rotation/owner';
import { loadAnswers } from './answer-store';
import { displayNames } from '../slack/directory';
import { refreshOwnerSummary } from './owner-summary';
import { handOffToSre, messageUrl } from './sre-handoff';
import { withAdvisoryLock } from '../db/locks';
import { findTrainAssignment } from '../rotation/roster-store';
import { findTrainThread, recordTrainThread } from '../tagging/notice-store';
import { findTrainCut } from '../tagging/release-store';
import { withoutIgnored } from './pull-requests';
import { readOpenPullRequests } from './sweep';
import { renderCutoffMessage, shortTime } from './views';

/** The scheduler's name of the sweep job (its ledger rows tell which sweeps ran). */
export const SWEEP_JOB = 'pr-sweep';

export async function postCutoffMessage(options: ReminderFireOptions): Promise<void> {
  const { deps, train, scheduledAt, now } = options;
  const { settings } = deps.config;
  const schedule = deps.calendar.getTrain(train);
  const warnings: string[] = [];
  let open: PullRequestSummary[] | null = null;
  let merged: MergedPullRequest[] | null = null;
  try {
    open = await readOpenPullRequests(deps);
    const since = await previousCutMoment(deps, train);
    const mergedSince = await deps.github.listMergedPullRequestsSince({ baseBranch: settings.mainBranch, since });
    merged = withoutIgnored(
      mergedSince.filter((pr) => Date.parse(pr.mergedAt) <= schedule.cutoff.getTime()),
      settings,
    );
  } catch (error) {
    if (!(error instanceof GitHubError) || !options.lastAttempt) throw error;
    warnings.push(`${error.userMessage} The PRs that made it and those that roll are not listed.`);
    open = null;
    merged = null;
  }

  const [ownerSlackId, answers, notes] = await Promise.all([
    findOwnerOfTrain(deps, train),
    loadAnswers(deps.db.prisma, train),
    listNotes(deps.db.prisma, train),
  ]);
  // Authors and note writers are named, not pinged: only the owner is asked to act.
  const noteAuthors = await displayNames(
    deps,
    notes.map((note) => note.authorSlackId),
  );
  warnings.push(...(await sweepsThatDidNotRun(deps, scheduledAt)));
  // The train's thread (tagging, CI and stage news): linked when there is one; otherwise this message starts it.
  const thread = await knownTrainThread(deps, train);
  const message = renderCutoffMessage(
    {
      train: schedule,
      ownerSlackId,
      merged,
      open,
      answers,
      notes,
      noteAuthors,
      warnings,
      threadUrl: thread ? messageUrl(thread.channel, thread.ts) : null,
    },
    settings,
  );
  const outcome = await postChannelReminder({ ...options, kind: 'cutoff', message, what: 'cutoff message' });
  if (outcome.outcome === 'posted') {
    if (!thread) await adoptAsTrainThread(deps, { train, channel: outcome.channel, ts: outcome.ts, now });
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
  // Last, and on every attempt (it is sent once): SRE's channel refusing the bot must not keep the cut from its audit
  // and the owner's summary; its error fails this attempt, and the next one posts it once the bot is invited.
  await handOffToSre({ deps, train, moment: 'cutoff', now });
}

/**
 * Since when a merge is new in `train`: the previous train's cutoff or, when that train was tagged later (its
 * tagging run dispatched after its cutoff, e.g. cut anyway with late merges), that dispatch: the workflow tags
 * main's head then, so what was merged before it rode the previous train.
 */
async function previousCutMoment(deps: AppDeps, train: number): Promise<Date> {
  const cutoff = deps.calendar.getTrain(train - 1).cutoff;
  const dispatchedAt = (await findTrainCut(deps.db.prisma, train - 1))?.dispatchedAt ?? null;
  return dispatchedAt && dispatchedAt > cutoff ? dispatchedAt : cutoff;
}

/** The train's thread when it exists already: the one recorded, or the kickoff announcement that will become it. */
async function knownTrainThread(deps: AppDeps, train: number): Promise<{ channel: string; ts: string } | null> {
  const recorded = await findTrainThread(deps.db.prisma, train);
  if (recorded) return recorded;
  const assignment = await findTrainAssignment(deps.db.prisma, train);
  return assignment?.announcementTs && assignment.announcementChannel
    ? { channel: assignment.announcementChannel, ts: assignment.announcementTs }
    : null;
}

/**
 * With no kickoff announcement, the cutoff message starts the train's thread
 * (under the same lock as tagging's `ensureTrainThread`, so a cut started at the
 * same moment finds it rather than starting another).
 */
async function adoptAsTrainThread(deps: AppDeps, thread: { train: number; channel: string; ts: string; now: Date }): Promise<void> {
  await withAdvisoryLock(deps.db.sql, { namespace: 'trainThread', id: thread.train }, async () => {
    if (await findTrainThread(deps.db.prisma, thread.train)) return;
    await recordTrainThread(deps.db.prisma, thread);
  });
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
