/**
 * The PR sweep, some hours before the cutoff: one GitHub read (the status
 * snapshot: every open PR into main with its review, mergeability and checks),
 * then ONE direct message per author listing all their open PRs with what
 * stands between each and merging, and buttons to answer; authors who already
 * answered for the same commits are not asked again. The owner's summary is
 * posted or updated. Every DM is claimed in the ledger first, so a retried
 * sweep, a second replica or a restart never sends one twice, and a retry
 * carries on with those not sent.
 */
import type { AppDeps } from '../deps';
import { recordAudit } from '../audit/audit-store';
import { GitHubError } from '../github/errors';
import type { PullRequestSummary } from '../github/client';
import { findOwnerOfTrain } from '../rotation/owner';
import { formatInZones } from '../train/time-format';
import { loadAnswers, loadSweptPullRequests, recordSweptPullRequests, type SweptPullRequest } from './answer-store';
import { createAuthorDirectory } from './author-directory';
import { reminderEntry } from './message-ledger';
import { refreshOwnerSummary } from './owner-summary';
import { findBlockers, groupBy, withoutIgnored } from './pull-requests';
import { renderAuthorDm, shortTime } from './views';

export interface SweepReport {
  train: number;
  openPullRequests: number;
  drafts: number;
  authors: number;
  dmsSent: number;
  /** Authors already asked (this sweep, before a retry) or who answered for unchanged PRs. */
  skipped: number;
  failed: number;
  notOnSlack: number;
}

/** Reads open PRs into main, minus ignored labels and authors. Throws GitHubError when GitHub fails. */
export async function readOpenPullRequests(deps: AppDeps): Promise<PullRequestSummary[]> {
  const { settings } = deps.config;
  const snapshot = await deps.github.getStatusSnapshot({ baseBranch: settings.mainBranch, checkName: settings.ciCheckName, maxTags: 1 });
  return withoutIgnored(snapshot.pullRequests, settings);
}

export async function runSweep(options: {
  deps: AppDeps;
  train: number;
  scheduledAt: Date;
  now: Date;
  lastAttempt: boolean;
}): Promise<SweepReport | null> {
  const { deps, train, scheduledAt, now } = options;
  const schedule = deps.calendar.getTrain(train);
  const log = deps.logger.child({ module: 'reminders', job: 'pr-sweep', train, sweep: scheduledAt.toISOString() });
  if (now >= schedule.cutoff) {
    log.warn('the sweep is due after the cutoff: not asking anyone');
    return null;
  }
  const ownerSlackId = await findOwnerOfTrain(deps, train);
  // The open PRs, then everyone's Slack user: should either fail, no DM has gone out yet.
  let open: PullRequestSummary[];
  const slackUsers = new Map<number, string | null>();
  try {
    open = await readOpenPullRequests(deps);
    const directory = await createAuthorDirectory({ deps, authors: open.map((pr) => pr.authorLogin), now });
    for (const pr of open) slackUsers.set(pr.number, await directory.slackUserFor(pr.authorLogin));
  } catch (error) {
    if (options.lastAttempt) {
      const reason =
        error instanceof GitHubError
          ? error.userMessage
          : 'Something went wrong on my side; whoever runs release-conductor will find the details in its logs.';
      // The sweep's own error is what the scheduler records; failing to tell is logged beside it.
      await tellSweepFailed({ deps, train, scheduledAt, now, ownerSlackId, reason }).catch((tellError: unknown) =>
        log.error({ err: tellError }, 'could not tell anyone that the PR sweep could not run'),
      );
    }
    throw error;
  }
  await recordSweptPullRequests({
    prisma: deps.db.prisma,
    train,
    sweptAt: scheduledAt,
    now,
    pullRequests: open.map((pr) => ({
      number: pr.number,
      title: pr.title,
      url: pr.url,
      authorLogin: pr.authorLogin,
      authorSlackId: slackUsers.get(pr.number) ?? null,
      headSha: pr.headSha,
      isDraft: pr.isDraft,
      blockers: findBlockers(pr),
    })),
  });

  const answers = await loadAnswers(deps.db.prisma, train);
  const swept = (await loadSweptPullRequests(deps.db.prisma, train)).filter((pr) => pr.lastSweepAt.getTime() === scheduledAt.getTime());
  const byAuthor = groupBy(
    swept.filter((pr) => pr.authorSlackId !== null),
    (pr) => pr.authorSlackId ?? '',
  );
  const report: SweepReport = {
    train,
    openPullRequests: swept.filter((pr) => !pr.isDraft).length,
    drafts: swept.filter((pr) => pr.isDraft).length,
    authors: 0,
    dmsSent: 0,
    skipped: 0,
    failed: 0,
    notOnSlack: swept.filter((pr) => pr.authorSlackId === null && !pr.isDraft).length,
  };
  let passingFailure: unknown;
  for (const [authorSlackId, prs] of byAuthor) {
    const ready = prs.filter((pr) => !pr.isDraft);
    if (ready.length === 0) continue; // only drafts: listed apart in the summary, nobody to ask
    report.authors += 1;
    const answeredAll = ready.every((pr) => answers.get(pr.number)?.headSha === pr.headSha);
    if (answeredAll) {
      report.skipped += 1;
      continue;
    }
    const message = renderAuthorDm(
      {
        train: schedule,
        pullRequests: ready.map((pr: SweptPullRequest) => ({ ...pr, answer: answers.get(pr.number) ?? null })),
        drafts: prs.filter((pr) => pr.isDraft),
        ownerSlackId,
      },
      deps.config.settings,
      now,
    );
    try {
      const outcome = await deps.messenger.postOnce({
        ...reminderEntry({ train, kind: 'sweep-dm', scheduledAt, recipient: authorSlackId }),
        to: { user: authorSlackId },
        message,
        now,
        ...(options.lastAttempt ? { giveUp: true } : {}),
      });
      if (outcome.outcome === 'posted') report.dmsSent += 1;
      else if (outcome.outcome === 'already') report.skipped += 1;
      else {
        report.failed += 1;
        log.warn({ author: authorSlackId, error: outcome.error }, 'could not DM a PR author');
      }
    } catch (error) {
      // Slack may get over it: carry on with the others, and let the retry send this one.
      passingFailure ??= error;
      log.warn({ err: error, author: authorSlackId }, 'DM to a PR author failed; the retry will send it');
    }
  }

  await refreshOwnerSummary({ deps, train, ownerSlackId, now, create: true, giveUp: options.lastAttempt });
  await recordAudit(deps.db.prisma, {
    actor: 'system',
    action: 'reminders.sweep',
    subject: `train:${train}`,
    details: { sweep: scheduledAt.toISOString(), ...report },
    at: now,
  });
  log.info(report, `PR sweep for train ${train}: ${report.dmsSent} DMs sent`);
  if (passingFailure !== undefined) throw passingFailure;
  return report;
}

/** Tells the owner (or, without one, the admins) that a sweep could not run: once per sweep and person. */
export async function tellSweepFailed(options: {
  deps: AppDeps;
  train: number;
  scheduledAt: Date;
  now: Date;
  ownerSlackId: string | null;
  reason: string;
}): Promise<void> {
  const { deps, train, scheduledAt, now } = options;
  const { settings } = deps.config;
  const recipients = options.ownerSlackId ? [options.ownerSlackId] : await deps.admins.listAdmins(now);
  const cutoff = deps.calendar.getTrain(train).cutoff;
  const text =
    `:warning: The PR sweep of train ${train} due at ${shortTime(scheduledAt, settings)} could not run: ${options.reason} ` +
    `Nobody was asked whether their PRs will land. Please check the open PRs into \`${settings.mainBranch}\` yourself before the cutoff ` +
    `(${formatInZones(cutoff, settings.displayTimeZones)}).` +
    (options.ownerSlackId ? '' : ` (Train ${train} has no release owner; you are told as an admin.)`);
  for (const recipient of recipients) {
    await deps.messenger.postOnce({
      ...reminderEntry({ train, kind: 'sweep-failed', scheduledAt, recipient }),
      to: { user: recipient },
      message: { text },
      now,
      giveUp: true,
    });
  }
  if (recipients.length === 0) deps.logger.error({ train }, 'the PR sweep could not run and nobody could be told: no owner and no admins');
}
