/**
 * What the tagging rules decide, as typed values: the notices a change posts
 * in the train's thread, why GitHub refused a dispatch, why a cut is refused,
 * and what a cut led to. The rules return these; tag-view.ts renders them as
 * Slack text. Types only.
 */
import type { PullRequestSummary } from '../github/client';
import type { TagRelease } from './release-store';

export interface FailingJob {
  name: string;
  url: string | null;
}

/** Why GitHub refused to start a workflow (nothing was started). */
export type DispatchRefusal =
  | { kind: 'workflow-not-found'; workflow: string; repository: string }
  | { kind: 'missing-scopes'; workflow: string; missingScopes: string[]; tokenScopes: string[] | null }
  | { kind: 'forbidden'; workflow: string; message: string }
  | { kind: 'rate-limited'; workflow: string; message: string }
  | { kind: 'refused'; workflow: string; message: string };

/** What a dispatch of the tagging workflow led to. `message` is GitHub's error, as a person reads it. */
export type DispatchResult =
  | { outcome: 'dispatched'; release: TagRelease | null }
  | { outcome: 'uncertain'; release: TagRelease | null; message: string }
  | { outcome: 'refused'; release: TagRelease | null; refusal: DispatchRefusal };

/** Why the image build failed. */
export type ImageFailure =
  | { kind: 'run-ended'; conclusion: string }
  | { kind: 'no-run'; workflow: string; minutes: number }
  | { kind: 'refused'; refusal: DispatchRefusal };

/** A watched state taking long: what the late notice says. */
export interface Lateness {
  state: string;
  train: number;
  tag: string;
  minutes: number;
  runUrl: string | null;
  imageRunUrl: string | null;
  ciUrl: string | null;
  stageVersion: string | null;
}

/** A message for the train's thread, as data: tag-view.ts renders it (and its outbox key). */
export type TagNotice =
  | {
      kind: 'dispatched';
      train: number;
      tag: string;
      sha: string | null;
      actor: string;
      actorName?: string;
      attempt: number;
      uncertain: boolean;
    }
  | { kind: 'run-failed'; train: number; attempt: number; releaseId: number; runUrl: string | null; conclusion: string }
  | { kind: 'run-missing'; train: number; attempt: number; releaseId: number; minutes: number }
  | { kind: 'tagged'; tag: string; branch: string; sha: string; attempt: number }
  /** `round`: CI's round on the tag (1, then one more per re-run); keys of later rounds are their own. */
  | { kind: 'ci-passed'; tag: string; url: string | null; attempt: number; round?: number }
  | { kind: 'ci-failed'; tag: string; url: string | null; attempt: number; releaseId: number; jobs: FailingJob[]; round?: number }
  | { kind: 'image-dispatched'; tag: string; attempt: number; uncertain: boolean }
  | { kind: 'image-built'; tag: string; attempt: number; url: string | null }
  | { kind: 'image-failed'; tag: string; attempt: number; url: string | null; failure: ImageFailure }
  | { kind: 'on-stage'; train: number; tag: string; version: string; attempt: number }
  | { kind: 'late'; attempt: number; lateness: Lateness; round?: number }
  | { kind: 'gave-up'; state: string; timeoutState: string; tag: string; hours: number; attempt: number }
  /** GitHub failed the watcher's looks when a deadline came: nothing concluded, still watching (said once per outage). */
  | { kind: 'github-down'; state: string; tag: string; attempt: number; since: Date; minutes: number; reason: string }
  | { kind: 'issue-filed'; actor: string; actorName?: string; number: number; url: string; attempt: number; round?: number }
  | { kind: 'flaky'; actor: string; actorName?: string; attempt: number; round?: number };

/** The notices of the cut after its tag (rendered by rerun-view.ts): CI re-runs, production, the summary. */
export type AfterTagNotice =
  /** After a failure, CI runs again on the tag (a re-run GitHub reports). */
  | { kind: 'ci-rerun'; tag: string; url: string | null; attempt: number; round: number }
  /** Someone asked for a re-run: GitHub re-runs the failed jobs (`github`), or they re-ran it where the bot cannot (`elsewhere`). */
  | {
      kind: 'rerun-requested';
      actor: string;
      actorName?: string;
      tag: string;
      attempt: number;
      round: number;
      url: string | null;
      how: 'github' | 'elsewhere';
    }
  | { kind: 'in-production'; train: number; tag: string; version: string; attempt: number }
  | { kind: 'summary'; summary: CutSummary; attempt: number };

/** Every notice a release posts in its train's thread. */
export type CutNotice = TagNotice | AfterTagNotice;

/** The end-of-cut summary: what the channel reads once the train reaches stage (or production). */
export interface CutSummary {
  train: number;
  tag: string;
  /** CI rounds on the tag: 1 when it passed first time. */
  ciRounds: number;
  /** Failed rounds before it passed. */
  failedRounds: number;
  flakyBy: string | null;
  issue: { number: number; url: string } | null;
  rerunBy: string | null;
  cutoff: Date | null;
  onStageAt: Date | null;
  productionAt: Date | null;
  /** Where the train is as the summary is written. */
  reached: 'stage' | 'production';
}

/** Why the train's number cannot be computed from the tags. */
export type TrainCountProblem =
  | { kind: 'no-release-tag' }
  | { kind: 'numbering-disagrees'; predicted: number; basedOnTag: string; intended: number };

/** Something the owner should know before cutting. */
export type CutWarning =
  | { kind: 'pull-requests-unlisted'; message: string }
  | { kind: 'ci-failing'; branch: string; checks: string[] }
  | { kind: 'before-cutoff'; train: number; cutoff: Date; now: Date };

/** Something that forbids the cut. */
export type CutBlocker =
  | { kind: 'tag-exists'; tag: string; train: number }
  | { kind: 'branch-exists'; branch: string; head: string }
  | { kind: 'cut-on-record'; train: number; state: string; tag: string; requestedBy: string };

export interface CutPlan {
  train: number;
  tag: string;
  branch: string;
  /** The tag the workflow counts from. */
  basedOnTag: string;
  /** The previous train's first tag, when it exists: "made it" counts from there. */
  previousTag: string | null;
  source: { sha: string; title: string };
  /** Commits on main since the previous train's tag, and the PR numbers found in their messages. */
  madeIt: { totalCommits: number; pullRequests: number[] } | null;
  /** Open pull requests into the main branch: they roll to the next train. Null when GitHub did not list them. */
  rolling: PullRequestSummary[] | null;
  warnings: CutWarning[];
  /** Reasons the cut cannot go ahead. */
  blockers: CutBlocker[];
}

/** Why a confirmation or a retry of a cut is refused (nothing was dispatched, except where said). */
export type CutRefusal =
  | { kind: 'confirm-value-unreadable' }
  | { kind: 'release-value-unreadable' }
  | { kind: 'train-uncountable'; problem: TrainCountProblem }
  | { kind: 'main-missing'; branch: string; repository: string }
  | { kind: 'tag-exists'; tag: string; train: number }
  | { kind: 'branch-exists'; branch: string; head: string }
  | { kind: 'next-train-changed'; train: number; next: number }
  | { kind: 'retry-train-changed'; train: number; next: number }
  | { kind: 'main-moved'; branch: string; confirmedSha: string; head: string | null }
  | { kind: 'being-cut'; train: number; state: string; tag: string; requestedBy: string }
  | { kind: 'unknown-release' }
  | { kind: 'retry-out-of-date'; state: string; tag: string; attempt: number }
  | { kind: 'adopt-raced' }
  | { kind: 'retry-raced'; train: number };

/** What a confirmed cut (or its retry) led to. */
export type CutOutcome =
  | { kind: 'dispatch'; train: number; result: DispatchResult }
  | { kind: 'run-found-late'; runId: number; runUrl: string };

/** A cut's answer to the person: what it did, or why it was refused. */
export type CutAnswer = CutOutcome | { kind: 'refused'; refusal: CutRefusal };

/** Why a button about a CI failure (file an issue, known flaky) does nothing. */
export type CiFailureRefusal =
  | { kind: 'unknown-release' }
  | { kind: 'out-of-date'; state: string; tag: string }
  | { kind: 'issue-filed'; by: string | null; number: number; url: string }
  | { kind: 'issue-being-filed'; by: string }
  | { kind: 'filing-raced' }
  | { kind: 'flaky-recorded'; by: string | null };

/** Why a second answer to one CI failure, or a re-run, is refused (rendered by rerun-view.ts). */
export type CiAnswerRefusal =
  /** An issue and "known flaky" are two answers to one failure: only one is recorded. */
  | { kind: 'issue-not-flaky'; by: string | null; number: number | null; url: string | null }
  | { kind: 'flaky-not-issue'; by: string | null }
  | { kind: 'rerun-asked'; by: string | null }
  | { kind: 'rerun-refused'; message: string };
