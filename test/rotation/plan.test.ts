import { isAway, planRotation, type FixedAssignment, type RotationMember, type RotationSkip } from '../../src/rotation/plan';
import { createTrainCalendar } from '../../src/train/calendar';

const calendar = createTrainCalendar({ anchor: { train: 301, cutDate: '2026-10-21' } });
const roster = (ids: string[]): RotationMember[] => ids.map((slackUserId, position) => ({ slackUserId, position, active: true }));
const owners = (plan: ReturnType<typeof planRotation>) => plan.map((entry) => entry.slackUserId);

describe('the rotation', () => {
  const six = roster(['A', 'B', 'C', 'D', 'E', 'F']);

  test('a roster of 6 with two skips and one override gives the expected owners for the next 12 trains', () => {
    const skips: RotationSkip[] = [
      { slackUserId: 'B', train: 303 },
      // E is away over the new year: train 306 is cut on 2026-12-30 and 307 on 2027-01-13.
      { slackUserId: 'E', fromDate: '2026-12-24', toDate: '2027-01-13' },
    ];
    const fixed: FixedAssignment[] = [
      { train: 309, slackUserId: 'A', source: 'override', rotationPick: null, deferred: [], announced: false },
    ];
    const plan = planRotation({ members: six, skips, fixed, calendar, startTrain: 302, fromTrain: 302, toTrain: 313 });
    expect(plan.map((entry) => entry.train)).toEqual([302, 303, 304, 305, 306, 307, 308, 309, 310, 311, 312, 313]);
    // B skips 303 and takes 304; E skips 306 and 307 and takes 308; B, displaced by the override of 309, takes 310.
    expect(owners(plan)).toEqual(['A', 'C', 'B', 'D', 'F', 'A', 'E', 'A', 'B', 'C', 'D', 'E']);
    expect(plan[1]?.skipping).toEqual(['B']);
    expect(plan[7]).toMatchObject({ source: 'override', rotationPick: 'B' });
  });

  test('with no skips it is plain list order, wrapping around', () => {
    const plan = planRotation({
      members: roster(['A', 'B', 'C']),
      skips: [],
      fixed: [],
      calendar,
      startTrain: 302,
      fromTrain: 302,
      toTrain: 308,
    });
    expect(owners(plan)).toEqual(['A', 'B', 'C', 'A', 'B', 'C', 'A']);
  });

  test('an announced train does not change when the list changes; later trains are re-planned', () => {
    const announced: FixedAssignment = {
      train: 302,
      slackUserId: 'A',
      source: 'rotation',
      rotationPick: 'A',
      deferred: [],
      announced: true,
    };
    const before = planRotation({ members: six, skips: [], fixed: [announced], calendar, startTrain: 302, fromTrain: 302, toTrain: 304 });
    expect(owners(before)).toEqual(['A', 'B', 'C']);
    // Z joins at the top of the list and B leaves: 302 stays A's, the rotation continues after A.
    const changed = roster(['Z', 'A', 'C', 'D', 'E', 'F']);
    const after = planRotation({
      members: changed,
      skips: [],
      fixed: [announced],
      calendar,
      startTrain: 302,
      fromTrain: 302,
      toTrain: 305,
    });
    expect(owners(after)).toEqual(['A', 'C', 'D', 'E']);
    expect(after[0]?.announced).toBe(true);
  });

  test('the plan for later trains continues from the last announcement and whom it still owed', () => {
    const announced: FixedAssignment = {
      train: 305,
      slackUserId: 'D',
      source: 'rotation',
      rotationPick: 'D',
      deferred: ['B'],
      announced: true,
    };
    const plan = planRotation({ members: six, skips: [], fixed: [announced], calendar, startTrain: 302, fromTrain: 306, toTrain: 308 });
    expect(owners(plan)).toEqual(['B', 'E', 'F']);
  });

  test('a swap exchanges two owners and nobody is owed anything', () => {
    const fixed: FixedAssignment[] = [
      { train: 304, slackUserId: 'D', source: 'swap', rotationPick: null, deferred: [], announced: false },
      { train: 305, slackUserId: 'C', source: 'swap', rotationPick: null, deferred: [], announced: false },
    ];
    const plan = planRotation({ members: six, skips: [], fixed, calendar, startTrain: 302, fromTrain: 302, toTrain: 307 });
    expect(owners(plan)).toEqual(['A', 'B', 'D', 'C', 'E', 'F']);
  });

  test('inactive members get no trains; when everyone is away the train is unassigned', () => {
    const members = [...roster(['A', 'B']), { slackUserId: 'C', position: 2, active: false }];
    const skips: RotationSkip[] = [
      { slackUserId: 'A', train: 303 },
      { slackUserId: 'B', train: 303 },
    ];
    const plan = planRotation({ members, skips, fixed: [], calendar, startTrain: 302, fromTrain: 302, toTrain: 305 });
    expect(owners(plan)).toEqual(['A', null, 'B', 'A']);
    expect(plan[1]?.source).toBe('unassigned');
  });

  test('an empty roster assigns nobody', () => {
    const plan = planRotation({ members: [], skips: [], fixed: [], calendar, startTrain: 302, fromTrain: 302, toTrain: 303 });
    expect(owners(plan)).toEqual([null, null]);
  });

  test('a vacation counts when it covers the cut date or the day before', () => {
    const skips: RotationSkip[] = [{ slackUserId: 'A', fromDate: '2026-11-02', toDate: '2026-11-03' }];
    expect(isAway(skips, 'A', 302, '2026-11-04')).toBe(true);
    expect(isAway(skips, 'A', 302, '2026-11-06')).toBe(false);
    expect(isAway(skips, 'B', 302, '2026-11-04')).toBe(false);
  });
});
