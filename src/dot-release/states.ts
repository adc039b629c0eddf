/**
 * The states of a dot release's run (pure). Each step is recorded before its
 * side effect (the state names what is about to happen) and after it (the
 * next state, with what it produced), so a run resumed anywhere redoes at
 * most the one step in flight, which every git step detects as done:
 *
 *   planned ─▶ picking (k/n) ─▶ pushing ─▶ pushed ─▶ tagging ─▶ tagged ─▶ watched (closed)
 *                 │                │                   │
 *                 ├─▶ conflict ────┼── Resume ─▶ picking (after the person finished the pick by hand)
 *                 └───────────────▶ failed (its step kept in `failedIn`; Resume starts it again) ─▶ …
 *   any open state ─▶ abandoned (Abandon: closed, requesters told)
 */

export const RUN_STATES = [
  'planned',
  'picking',
  'pushing',
  'pushed',
  'tagging',
  'tagged',
  'watched',
  'conflict',
  'failed',
  'abandoned',
] as const;

export type RunState = (typeof RUN_STATES)[number];

/** States a run is in the middle of: a resume (a replay, the resume job) carries on from them. */
export const ACTIVE_STATES: readonly RunState[] = ['picking', 'pushing', 'pushed', 'tagging', 'tagged'];

/** States that wait for a person: Resume or Abandon. */
export const WAITING_STATES: readonly RunState[] = ['conflict', 'failed'];

/** Closed: nothing more happens. */
export const CLOSED_STATES: readonly RunState[] = ['watched', 'abandoned'];

export function isRunState(value: string): value is RunState {
  return (RUN_STATES as readonly string[]).includes(value);
}

export function isActive(state: string): boolean {
  return (ACTIVE_STATES as readonly string[]).includes(state);
}

export function isClosed(state: string): boolean {
  return (CLOSED_STATES as readonly string[]).includes(state);
}

/** The step in words ("picking 2 of 3"), for the announcement, `/release patches` and replies. */
export function describeRunState(options: { state: string; picked: number; toPick: number; tag: string }): string {
  const t = `\`${options.tag}\``;
  switch (options.state as RunState) {
    case 'planned':
      return `planned, not started`;
    case 'picking':
      return `cherry-picking (${options.picked} of ${options.toPick} picked)`;
    case 'pushing':
      return `pushing the train branch`;
    case 'pushed':
      return `train branch pushed; tagging ${t} next`;
    case 'tagging':
      return `pushing the tag ${t}`;
    case 'tagged':
      return `tagged ${t}; handing it to the tag watcher`;
    case 'watched':
      return `released: ${t} pushed, CI and stage followed in the train's thread`;
    case 'conflict':
      return `stopped at a conflict: waiting for the owner to finish the pick by hand (then Resume)`;
    case 'failed':
      return `stopped by a failure: Resume tries again from the step that failed, Abandon closes it`;
    case 'abandoned':
      return `abandoned`;
    default:
      return options.state;
  }
}
