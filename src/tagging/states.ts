/**
 * The states of a release tag, cut by the tagging workflow and watched through
 * CI to stage. Pure: names, what each means to a reader, and which ones the
 * watcher still has work in.
 *
 *   requested ─▶ dispatched ─▶ run_succeeded ─▶ tagged ─▶ ci_passed ─▶ (image_requested ─▶ image_dispatched ─▶ image_built) ─▶ on_stage ─▶ in_production
 *       │            ├─▶ run_failed   (retry offered)     │  ▲
 *       │            │                                    ▼  │ (a re-run: CI running again, or passed)
 *       │            │                                 ci_failed (file an issue / known flaky, re-run)
 *       │            └─▶ run_missing  (retry offered)
 *       └─▶ refused  (GitHub refused the dispatch: nothing started, the train is free again)
 *
 * Every watched state ends in `<phase>_timeout` when nothing happens for
 * `tagWatch.giveUpHours` (lateness is reported long before, once), except
 * `ci_failed` (watched for a re-run) and `on_stage` (watched for production
 * for `productionWatchDays`), whose watch just stops.
 */

export const TAG_STATES = [
  'requested',
  'refused',
  'dispatched',
  'run_missing',
  'run_failed',
  'run_succeeded',
  'run_timeout',
  'tagged',
  'tag_timeout',
  'ci_failed',
  'ci_passed',
  'ci_timeout',
  'image_requested',
  'image_dispatched',
  'image_failed',
  'image_timeout',
  'image_built',
  'on_stage',
  'stage_timeout',
  'in_production',
] as const;

export type TagState = (typeof TAG_STATES)[number];

/** States the watcher still looks at (the others are final, or wait for a person). */
export const WATCHED_STATES: ReadonlySet<TagState> = new Set<TagState>([
  'requested',
  'dispatched',
  'run_succeeded',
  'tagged',
  'ci_passed',
  'image_requested',
  'image_dispatched',
  'image_built',
  // A failure is not final: a re-run may follow (watched for `tagWatch.giveUpHours` after the failure or the re-run).
  'ci_failed',
  // On stage, until production reports it (for `productionWatchDays`).
  'on_stage',
]);

/** Watched states whose watch just stops when nothing happens for long: they are not late, only waiting for people. */
export const QUIET_WATCH_STATES: ReadonlySet<TagState> = new Set<TagState>(['ci_failed', 'on_stage']);

/** States in which the cut holds the train: a second cut is refused. `refused` frees it. */
export function holdsTheTrain(state: string): boolean {
  return state !== 'refused';
}

/** States after which a retry may be offered: the run's failure (or absence) is confirmed. */
export const RETRYABLE_STATES: ReadonlySet<TagState> = new Set<TagState>(['run_failed', 'run_missing']);

/** Where a watched state ends when nothing happens for too long. */
export function timeoutStateOf(state: TagState): TagState {
  switch (state) {
    case 'requested':
    case 'dispatched':
      return 'run_timeout';
    case 'run_succeeded':
      return 'tag_timeout';
    case 'tagged':
      return 'ci_timeout';
    case 'image_requested':
    case 'image_dispatched':
      return 'image_timeout';
    default:
      return 'stage_timeout';
  }
}

/** The step in words, for `/release status` and the thread ("CI running on v1.303.0"). */
export function describeState(state: string, tag: string): string {
  const t = `\`${tag}\``;
  switch (state as TagState) {
    case 'requested':
      return `dispatching the tagging workflow for ${t}`;
    case 'refused':
      return `GitHub refused to start the tagging workflow for ${t}; nothing was cut`;
    case 'dispatched':
      return `tagging workflow running for ${t}`;
    case 'run_missing':
      return `no tagging run appeared for ${t}; a retry is offered`;
    case 'run_failed':
      return `the tagging run for ${t} failed; a retry is offered`;
    case 'run_succeeded':
      return `tagging run succeeded; waiting to see ${t}`;
    case 'run_timeout':
      return `stopped watching the tagging run for ${t} (it never finished)`;
    case 'tagged':
      return `tagged ${t}; CI running`;
    case 'tag_timeout':
      return `the tagging run succeeded but ${t} never appeared`;
    case 'ci_failed':
      return `CI failed on ${t}`;
    case 'ci_passed':
      return `CI passed on ${t}; waiting for stage`;
    case 'ci_timeout':
      return `stopped watching CI on ${t} (it never finished)`;
    case 'image_requested':
    case 'image_dispatched':
      return `CI passed on ${t}; building images`;
    case 'image_failed':
      return `building the images of ${t} failed`;
    case 'image_timeout':
      return `stopped watching the image build of ${t}`;
    case 'image_built':
      return `images of ${t} built; waiting for stage`;
    case 'on_stage':
      return `${t} is on stage`;
    case 'stage_timeout':
      return `stopped waiting for ${t} to reach stage`;
    case 'in_production':
      return `${t} is in production`;
    default:
      return `${t}: ${state}`;
  }
}
