/**
 * Who owns which train: the rotation, as a pure function.
 *
 * The team's rule (seed: "rotated every sprint/train to the next team member
 * on the list"), made precise:
 * - Members take trains in list order, wrapping around.
 * - A member who is away for a train (a skip) is passed over, and is owed the
 *   next train they can take: owed members come before the list's next.
 * - A train announced at kickoff is fixed: later roster changes re-plan only
 *   trains not yet announced. The plan continues from the announced train's
 *   rotation pick and the members it still owed.
 * - An override gives one train to someone else; the member the rotation had
 *   picked is owed the next train they can take.
 * - A swap exchanges the owners of two trains; nobody is owed anything.
 * - With no announcement yet, the rotation starts at `startTrain` with the
 *   first member of the list.
 */
import type { TrainCalendar } from '../train/calendar';

export type AssignmentSource = 'rotation' | 'override' | 'swap' | 'reassigned';

export interface RotationMember {
  slackUserId: string;
  position: number;
  active: boolean;
}

/** Why a member skips: time away (`/release rotation skip`), or a train handed on at kickoff ("I can't, pick the next person"). */
export type SkipReason = 'away' | 'handed-on';

/** Away for one train, or for a range of local dates (YYYY-MM-DD, inclusive). */
export interface RotationSkip {
  slackUserId: string;
  train?: number | null;
  fromDate?: string | null;
  toDate?: string | null;
  /** Absent: away. Either way the member is passed over for the train and owed the next one. */
  reason?: SkipReason;
}

/** A train whose owner is stored: announced, overridden or swapped. */
export interface FixedAssignment {
  train: number;
  slackUserId: string;
  source: AssignmentSource;
  /** Who the rotation picked (null for overrides stored before planning). */
  rotationPick: string | null;
  /** Members owed a train after this one, stored at announcement. */
  deferred: string[];
  announced: boolean;
}

export interface PlannedTrain {
  train: number;
  /** The owner; null when nobody on the roster can take it. */
  slackUserId: string | null;
  source: AssignmentSource | 'unassigned';
  /** Who the rotation itself picked for this train. */
  rotationPick: string | null;
  /** Members still owed a train after this one. */
  deferred: string[];
  /** Announced at kickoff: it will not change. */
  announced: boolean;
  /** Members passed over for this train because they are away. */
  skipping: string[];
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + days));
  return next.toISOString().slice(0, 10);
}

/**
 * Away for train `train` (cut on local date `cutDate`): a skip of that train,
 * or a date range covering the cut date or the day before (check-in, PR sweep
 * and tagging happen then).
 */
export function isAway(skips: RotationSkip[], slackUserId: string, train: number, cutDate: string): boolean {
  const dayBefore = addDays(cutDate, -1);
  return skips.some((skip) => {
    if (skip.slackUserId !== slackUserId) return false;
    if (skip.train != null) return skip.train === train;
    if (!skip.fromDate || !skip.toDate) return false;
    return skip.fromDate <= cutDate && skip.toDate >= dayBefore;
  });
}

interface RotationState {
  /** The last member the rotation picked from the list; the next comes after them. */
  cursor: string | null;
  deferred: string[];
}

function pickNext(
  state: RotationState,
  order: string[],
  available: (slackUserId: string) => boolean,
): { pick: string | null; state: RotationState; passedOver: string[] } {
  const deferred = state.deferred.filter((id) => order.includes(id));
  const owed = deferred.find(available);
  if (owed) return { pick: owed, state: { cursor: state.cursor, deferred: deferred.filter((id) => id !== owed) }, passedOver: [] };
  const start = state.cursor === null ? 0 : order.indexOf(state.cursor) + 1;
  const passedOver: string[] = [];
  for (let step = 0; step < order.length; step++) {
    const candidate = order[(start + step) % order.length] as string;
    if (available(candidate)) {
      const stillOwed = [...deferred, ...passedOver.filter((id) => !deferred.includes(id))];
      return { pick: candidate, state: { cursor: candidate, deferred: stillOwed }, passedOver };
    }
    passedOver.push(candidate);
  }
  return { pick: null, state: { cursor: state.cursor, deferred }, passedOver };
}

/** The owners of trains `fromTrain`..`toTrain`. */
export function planRotation(options: {
  members: RotationMember[];
  skips: RotationSkip[];
  fixed: FixedAssignment[];
  calendar: TrainCalendar;
  /** The first train of the rotation when nothing was announced yet. */
  startTrain: number;
  fromTrain: number;
  toTrain: number;
}): PlannedTrain[] {
  const order = options.members
    .filter((member) => member.active)
    .sort((a, b) => a.position - b.position)
    .map((member) => member.slackUserId);
  const fixedByTrain = new Map(options.fixed.map((assignment) => [assignment.train, assignment]));
  const lastAnnounced = options.fixed
    .filter((assignment) => assignment.announced && assignment.train < options.fromTrain)
    .sort((a, b) => b.train - a.train)[0];
  let state: RotationState = lastAnnounced
    ? { cursor: lastAnnounced.rotationPick ?? lastAnnounced.slackUserId, deferred: lastAnnounced.deferred }
    : { cursor: null, deferred: [] };
  const first = lastAnnounced ? lastAnnounced.train + 1 : Math.min(options.startTrain, options.fromTrain);
  const planned: PlannedTrain[] = [];
  for (let train = first; train <= options.toTrain; train++) {
    const fixed = fixedByTrain.get(train);
    if (train < options.startTrain && !fixed) continue;
    let entry: PlannedTrain;
    if (fixed?.announced) {
      state = { cursor: fixed.rotationPick ?? fixed.slackUserId, deferred: fixed.deferred };
      entry = { ...fixed, deferred: fixed.deferred, skipping: [] };
    } else {
      const { cutDate } = options.calendar.getTrain(train);
      const result = pickNext(state, order, (id) => !isAway(options.skips, id, train, cutDate));
      state = result.state;
      const skipping = result.passedOver;
      if (fixed?.source === 'override' && result.pick && result.pick !== fixed.slackUserId) {
        // The member the rotation picked is owed the next train they can take.
        state = { cursor: state.cursor, deferred: [result.pick, ...state.deferred.filter((id) => id !== result.pick)] };
      }
      entry = fixed
        ? {
            train,
            slackUserId: fixed.slackUserId,
            source: fixed.source,
            rotationPick: result.pick,
            deferred: state.deferred,
            announced: false,
            skipping,
          }
        : {
            train,
            slackUserId: result.pick,
            source: result.pick ? 'rotation' : 'unassigned',
            rotationPick: result.pick,
            deferred: state.deferred,
            announced: false,
            skipping,
          };
    }
    if (train >= options.fromTrain) planned.push(entry);
  }
  return planned;
}
