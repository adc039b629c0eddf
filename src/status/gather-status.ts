/**
 * Gathers what `/release status` and the App Home show: the train calendar
 * (always available), and from GitHub the tags, the latest tag's CI and the
 * open PRs. When GitHub fails, the report says what is missing instead of
 * failing whole.
 */
import type { AppDeps } from '../app';
import type { Settings } from '../config';
import { GitHubError } from '../github/errors';
import type { GitHubClient, PullRequestSummary } from '../github/client';
import type { Logger } from '../logger';
import { listNotes, type StoredNote } from '../notes/notes-store';
import { loadAnswers, type StoredAnswer } from '../reminders/answer-store';
import type { TrainCalendar, TrainSchedule } from '../train/calendar';
import { findLatestTrain } from '../train/versions';
import { findOwnerOfTrain } from './owner';

export interface TagStatus {
  name: string;
  check: { status: string; conclusion: string | null; url: string | null } | null;
}

export interface StatusReport {
  now: Date;
  /** The train in progress by the calendar, with its cutoff. */
  calendarTrain: TrainSchedule;
  /** From GitHub; null when GitHub did not answer. */
  github: {
    /** Highest train cut (hyphen-free tag); null when the repository has none. */
    latestTrain: number | null;
    latestTag: TagStatus | null;
    pullRequests: PullRequestSummary[];
  } | null;
  /** Slack user id of the owner of the train in progress, when known. */
  ownerUserId: string | null;
  /** What could not be shown, in words for the reader. */
  missing: string[];
  /** Deploy notes of the train in progress. */
  notes: StoredNote[];
  /** PR authors' answers for the train in progress, by PR number. */
  answers: Map<number, StoredAnswer>;
}

/** The deploy notes and PR answers of the train in progress. */
export async function loadTrainNotesAndAnswers(deps: AppDeps, now: Date): Promise<{ notes: StoredNote[]; answers: Map<number, StoredAnswer> }> {
  const train = deps.calendar.trainInProgress(now).train;
  const [notes, answers] = await Promise.all([listNotes(deps.db.prisma, train), loadAnswers(deps.db.prisma, train)]);
  return { notes, answers };
}

/** Builds the report; GitHub's answer is optional. */
export function buildStatusReport(options: {
  now: Date;
  calendar: TrainCalendar;
  settings: Settings;
  snapshot: Awaited<ReturnType<GitHubClient['getStatusSnapshot']>> | null;
  missing: string[];
  ownerUserId: string | null;
  notes?: StoredNote[];
  answers?: Map<number, StoredAnswer>;
}): StatusReport {
  const { snapshot, settings } = options;
  let github: StatusReport['github'] = null;
  if (snapshot) {
    const latest = findLatestTrain(
      snapshot.tags.map((tag) => tag.name),
      settings.tagFormat,
    );
    const latestTag = latest ? snapshot.tags.find((tag) => tag.name === latest.tag) : undefined;
    github = {
      latestTrain: latest?.train ?? null,
      latestTag: latestTag ? { name: latestTag.name, check: latestTag.check } : null,
      pullRequests: snapshot.pullRequests,
    };
  }
  return {
    now: options.now,
    calendarTrain: options.calendar.trainInProgress(options.now),
    github,
    ownerUserId: options.ownerUserId,
    missing: options.missing,
    notes: options.notes ?? [],
    answers: options.answers ?? new Map(),
  };
}

/** Fetches from GitHub and builds the report; never throws for a GitHub failure. */
export async function gatherStatus(options: {
  now: Date;
  calendar: TrainCalendar;
  settings: Settings;
  github: GitHubClient;
  logger: Logger;
  ownerUserId: string | null;
  notes?: StoredNote[];
  answers?: Map<number, StoredAnswer>;
}): Promise<StatusReport> {
  let snapshot = null;
  const missing: string[] = [];
  try {
    snapshot = await options.github.getStatusSnapshot({
      baseBranch: options.settings.mainBranch,
      checkName: options.settings.ciCheckName,
    });
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    options.logger.warn({ err: error }, 'status: GitHub failed');
    missing.push(`${error.userMessage} Tags, CI and open pull requests are not shown.`);
  }
  return buildStatusReport({ ...options, snapshot, missing });
}

/** The report for whoever is looking now: owner from the roster, the rest from GitHub. */
export async function gatherStatusForViewer(options: { deps: AppDeps; now: Date }): Promise<StatusReport> {
  const { deps, now } = options;
  const ownerUserId = await findOwnerOfTrain(deps, deps.calendar.trainInProgress(now).train);
  const { notes, answers } = await loadTrainNotesAndAnswers(deps, now);
  return gatherStatus({
    notes,
    answers,
    now,
    calendar: deps.calendar,
    settings: deps.config.settings,
    github: deps.github,
    logger: deps.logger,
    ownerUserId,
  });
}
