/**
 * Issue 13.9: only the owner of the train being cut (or an admin) may cut it.
 * After train 303's cutoff the calendar is on 304, whose owner (Bob) could
 * cut 303; now `/release tag`, Confirm and Retry all refuse him, ephemerally,
 * naming who may.
 */
import { finishTagRun } from '../fakes/tag-release-workflow';
import type { Harness } from '../support/harness';
import {
  ADMIN,
  ALICE,
  arrangeTeam,
  askToTag,
  BOB,
  buttonValue,
  confirmation,
  cutOf,
  forgetCut,
  press,
  repliesNow,
  startTaggingHarness,
  tick,
} from './helpers';
import { theTagRun } from '../fakes/tag-release-workflow';

const ONLY_ALICE = 'Only the release owner of train 303 (<@U0ALICE01>) or an admin can';

describe('who may cut train 303 once the calendar is on 304', () => {
  let h: Harness;
  let mainHead: string;

  beforeAll(async () => {
    h = await startTaggingHarness();
    mainHead = await arrangeTeam(h);
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => forgetCut(h, mainHead));

  test("the owner of the next train (304) may not ask for 303's cut, nor Confirm it: told who may, ephemerally", async () => {
    const asked = await askToTag(h, BOB);
    expect(asked.response_type).toBe('ephemeral');
    expect(String(asked.text)).toContain(`${ONLY_ALICE} cut train 303.`);
    expect(buttonValue(asked, 'tag_confirm')).toBeUndefined();

    const { value } = await confirmation(h, ALICE);
    const confirmed = await press(h, BOB, 'tag_confirm', value);
    expect(confirmed.response_type).toBe('ephemeral');
    expect(String(confirmed.text)).toContain(`${ONLY_ALICE} cut train 303.`);
    expect(h.github.workflowDispatches).toHaveLength(0);
    expect(await cutOf(h)).toBeNull();
    // The admin still may.
    const { value: adminValue } = await confirmation(h, ADMIN);
    expect(String((await press(h, ADMIN, 'tag_confirm', adminValue)).text)).toContain('Dispatched `tag-release.yml` for train 303');
  });

  test('the owner of the next train may not Retry the cut of 303 either', async () => {
    const { value } = await confirmation(h, ALICE);
    await press(h, ALICE, 'tag_confirm', value);
    finishTagRun(h.github, theTagRun(h.github), 'failure');
    await tick(h);
    await tick(h);
    const failed = (await repliesNow(h)).find((m) => buttonValue(m, 'tag_retry') !== undefined);
    if (!failed) throw new Error('no Retry offered');
    const refused = await press(h, BOB, 'tag_retry', buttonValue(failed, 'tag_retry'), failed);
    expect(refused.response_type).toBe('ephemeral');
    expect(String(refused.text)).toContain(`${ONLY_ALICE} retry the cut of train 303.`);
    expect(h.github.workflowDispatches).toHaveLength(1);
    expect(await cutOf(h)).toMatchObject({ state: 'run_failed', attempt: 1 });
  });
});
