/**
 * Gathers what `/release status` and the App Home show: the train calendar
 * (always available), and from GitHub the tags, the latest tag's CI and the
 * open PRs. When GitHub fails, the report says what is missing instead of
 * failing whole.
 */
import type { AppDeps } from '../deps';
import type { Settings } from '../config';
import { GitHubError } from '../github/errors';
import type { GitHubClient, PullRequestSummary } from '../github/client';
import type { Logger } from '../logger';
import { listNotes, type StoredNote } from '../notes/notes-store';
import { loadAnswers, type StoredAnswer } from '../reminders/answer-store';
import type { TrainCalendar, TrainSchedule } from '../train/calendar';
import { findLatestTrain } from '../train/versions';
import { loadPatchOverview, type PatchOverview } from '../patches/patch-store';
import { findOwnerOfTrain } from '../rotation/owner';
import { withoutIgnored } from '../reminders/pull-requests';
import { isTaggedState } from '../reminders/train-being-cut';
import { findTrainCut } from '../tagging/release-store';
import { trainInCut } from '../train/train-in-cut';
import { readDashboardFingerprint } from './status-store';
import { loadTaggingStep, type TaggingStep } from './tagging-section';
import { listActiveStageDeploys, type StageDeployRow } from '../stage-deploy/stage-deploy-store';

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
  /** Slack user id of the owner of the train the dashboard is about (the one being cut, else the one in progress), when known. */
  ownerUserId: string | null;
  /**
   * Between a train's cutoff and its tag: that train (the dashboard is about it:
   * its owner, notes and answers) and the owner of the train main is building.
   */
  inCut?: { train: TrainSchedule; nextOwnerUserId: string | null } | null;
  /** What could not be shown, in words for the reader. */
  missing: string[];
  /** Planned dot releases and patch requests awaiting a decision (from the database). */
  patches: PatchOverview | null;
  /** Deploy notes of the train the dashboard is about. */
  notes: StoredNote[];
  /** PR authors' answers for the train the dashboard is about, by PR number. */
  answers: Map<number, StoredAnswer>;
  /** The latest cut the bot made or watched, and its step (from the database). */
  tagging: TaggingStep | null;
  /** Issue 16: temporary stage deploys not replaced yet (from the database). */
  stageDeploys?: StageDeployRow[];
}

/** What the dashboard shows of one train from the database: its owner, deploy notes and PR answers. */
export interface TrainParts {
  ownerUserId: string | null;
  notes: StoredNote[];
  answers: Map<number, StoredAnswer>;
}

/** The owner, deploy notes and PR answers of one train. */
export async function loadTrainParts(deps: AppDeps, train: number): Promise<TrainParts> {
  const [ownerUserId, notes, answers] = await Promise.all([
    findOwnerOfTrain(deps, train),
    listNotes(deps.db.prisma, train),
    loadAnswers(deps.db.prisma, train),
  ]);
  return { ownerUserId, notes, answers };
}

/** Builds the report; GitHub's answer is optional. */
export function buildStatusReport(options: {
  now: Date;
  calendar: TrainCalendar;
  settings: Settings;
  snapshot: Awaited<ReturnType<GitHubClient['getStatusSnapshot']>> | null;
  missing: string[];
  current: TrainParts;
  /** The train before the one in progress, and whether the bot's record says it is tagged. */
  previous?: TrainParts & { tagged: boolean };
  patches?: PatchOverview | null;
  tagging?: TaggingStep | null;
  stageDeploys?: StageDeployRow[];
}): StatusReport {
  const { snapshot, settings, current, previous } = options;
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
      pullRequests: withoutIgnored(snapshot.pullRequests, settings),
    };
  }
  const calendarTrain = options.calendar.trainInProgress(options.now);
  // Tagged trains as far as known: the latest tag on GitHub, and the bot's record of the previous train's cut.
  const tagged = [...(github?.latestTrain != null ? [github.latestTrain] : []), ...(previous?.tagged ? [calendarTrain.train - 1] : [])];
  const cut = previous ? trainInCut(options.calendar, options.now, tagged) : null;
  const shown = cut && previous ? previous : current;
  return {
    now: options.now,
    calendarTrain,
    github,
    ownerUserId: shown.ownerUserId,
    inCut: cut ? { train: cut, nextOwnerUserId: current.ownerUserId } : null,
    missing: options.missing,
    patches: options.patches ?? null,
    notes: shown.notes,
    answers: shown.answers,
    tagging: options.tagging ?? null,
    stageDeploys: options.stageDeploys ?? [],
  };
}

/** What the dashboard reads from GitHub: the snapshot, or why it is missing. Never throws for a GitHub failure. */
export async function readGitHubForStatus(options: {
  github: GitHubClient;
  settings: Settings;
  logger: Logger;
}): Promise<{ snapshot: Awaited<ReturnType<GitHubClient['getStatusSnapshot']>> | null; missing: string[] }> {
  try {
    const snapshot = await options.github.getStatusSnapshot({
      baseBranch: options.settings.mainBranch,
      checkName: options.settings.ciCheckName,
    });
    return { snapshot, missing: [] };
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    options.logger.warn({ err: error }, 'status: GitHub failed');
    return { snapshot: null, missing: [`${error.userMessage} Tags, CI and open pull requests are not shown.`] };
  }
}

const recentReads = new WeakMap<AppDeps, { at: number; read: ReturnType<typeof readGitHubForStatus> }>();

/**
 * GitHub's part of the dashboard, reused for `statusCacheSeconds`: a burst of
 * `/release status` (everyone looking after an announcement) costs one read.
 * A failed read is not reused; `fresh` (the Refresh button) always reads again.
 */
function readGitHubShared(deps: AppDeps, now: Date, fresh: boolean): ReturnType<typeof readGitHubForStatus> {
  const ttlMs = deps.config.settings.statusCacheSeconds * 1000;
  const recent = recentReads.get(deps);
  const age = recent ? now.getTime() - recent.at : Number.POSITIVE_INFINITY;
  if (!fresh && recent && age >= 0 && age < ttlMs) return recent.read;
  const read = readGitHubForStatus({ github: deps.github, settings: deps.config.settings, logger: deps.logger });
  const entry = { at: now.getTime(), read };
  recentReads.set(deps, entry);
  void read.then(
    ({ snapshot }) => {
      if (!snapshot && recentReads.get(deps) === entry) recentReads.delete(deps);
    },
    () => {
      if (recentReads.get(deps) === entry) recentReads.delete(deps);
    },
  );
  return read;
}

/** The dashboard's parts that come from the database (the rest comes from GitHub). */
interface LocalParts {
  current: TrainParts;
  previous: TrainParts & { tagged: boolean };
  patches: PatchOverview | null;
  tagging: TaggingStep | null;
  stageDeploys: StageDeployRow[];
}

const recentLocalParts = new WeakMap<AppDeps, { at: number; key: string; parts: Promise<LocalParts> }>();

async function loadLocalParts(deps: AppDeps, now: Date): Promise<LocalParts> {
  const train = deps.calendar.trainInProgress(now).train;
  const [current, previous, previousCut, patches, tagging] = await Promise.all([
    loadTrainParts(deps, train),
    loadTrainParts(deps, train - 1),
    findTrainCut(deps.db.prisma, train - 1),
    loadPatchOverview(deps.db.prisma),
    loadTaggingStep(deps),
  ]);
  const stageDeploys = await listActiveStageDeploys(deps.db.prisma);
  return {
    current,
    previous: { ...previous, tagged: previousCut !== null && isTaggedState(previousCut.state) },
    patches,
    tagging,
    stageDeploys,
  };
}

/** The database's part of the dashboard: reused while nothing it reads has changed (its fingerprint, status-store.ts) and the same train is in progress. */
export async function readLocalShared(deps: AppDeps, now: Date, fresh: boolean): Promise<LocalParts> {
  const ttlMs = deps.config.settings.statusCacheSeconds * 1000;
  if (ttlMs === 0) return loadLocalParts(deps, now);
  const fingerprint = await readDashboardFingerprint({ sql: deps.db.sql });
  const key = `${deps.calendar.trainInProgress(now).train}|${fingerprint}`;
  const recent = recentLocalParts.get(deps);
  const age = recent ? now.getTime() - recent.at : Number.POSITIVE_INFINITY;
  if (!fresh && recent && recent.key === key && age >= 0 && age < ttlMs) return recent.parts;
  const parts = loadLocalParts(deps, now);
  const entry = { at: now.getTime(), key, parts };
  recentLocalParts.set(deps, entry);
  parts.catch(() => {
    if (recentLocalParts.get(deps) === entry) recentLocalParts.delete(deps);
  });
  return parts;
}

/** The dashboard's data for whoever is looking at `now`: the roster, notes, answers, patches and cuts from the database, the rest from GitHub. */
export async function getStatusReport(options: { deps: AppDeps; now: Date; fresh?: boolean }): Promise<StatusReport> {
  const { deps, now } = options;
  const fresh = options.fresh ?? false;
  const [local, { snapshot, missing }] = await Promise.all([readLocalShared(deps, now, fresh), readGitHubShared(deps, now, fresh)]);
  return buildStatusReport({ now, calendar: deps.calendar, settings: deps.config.settings, snapshot, missing, ...local });
}
