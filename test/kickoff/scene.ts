/**
 * The kickoff of train 303 as the tests in this folder meet it: the team's calendar, the time in minutes from the
 * kickoff, and a harness a minute before it with Alice, Bob and Carol in the rotation from train 303.
 */
import { createTrainCalendar } from '../../src/train/calendar';
import { startHarness, type Harness } from '../support/harness';
import { ADMIN, ALICE, BOB, CAROL, importTeam, TEAM_SETTINGS } from '../support/team';

const calendar = createTrainCalendar({ anchor: { train: 301, cutDate: '2026-10-21' } });
const KICKOFF = calendar.getTrain(303).kickoff;
const MINUTE = 60_000;

/** `minutes` after train 303's kickoff (before it when negative). */
export const at = (minutes: number): Date => new Date(KICKOFF.getTime() + minutes * MINUTE);

/** A harness a minute before train 303's kickoff, the team imported with Alice first. */
export async function startKickoffScene(): Promise<Harness> {
  const h = await startHarness({ settings: TEAM_SETTINGS, now: at(-1).toISOString() });
  await importTeam(h, {
    people: { [ALICE]: 'alice', [BOB]: 'bob', [CAROL]: 'carol', [ADMIN]: 'admin' },
    rotation: [ALICE, BOB, CAROL],
    startTrain: 303,
    actor: ADMIN,
  });
  return h;
}
