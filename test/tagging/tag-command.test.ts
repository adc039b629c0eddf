/**
 * `/release tag`, end to end: who may, what the confirmation shows (train,
 * tag, branch, commit, what made it and what rolls, warnings, blockers), and
 * refusals that dispatch nothing.
 */
import type { Harness } from '../support/harness';
import {
  ADMIN,
  ALICE,
  arrangeTeam,
  askToTag,
  BOB,
  buttonValue,
  CAROL,
  cutOf,
  press,
  startTaggingHarness,
  textOf,
  forgetCut,
  confirmation,
} from './helpers';

describe('/release tag: the confirmation', () => {
  let h: Harness;
  let mainHead: string;

  beforeAll(async () => {
    h = await startTaggingHarness();
    mainHead = await arrangeTeam(h);
    h.github.addPullRequest({ title: 'Still open <!channel>', authorLogin: 'dora' });
    h.github.addPullRequest({ title: 'Also open', authorLogin: 'eve' });
  });
  afterAll(async () => {
    await h.close();
  });

  /** Forgets any cut of train 303, on GitHub and in the bot. */
  async function reset(): Promise<void> {
    await forgetCut(h, mainHead);
  }
  beforeEach(reset);

  test('someone who is neither the owner nor an admin is told who may, and nothing happens', async () => {
    const reply = await askToTag(h, CAROL);
    expect(reply.response_type).toBe('ephemeral');
    expect(String(reply.text)).toContain('Only the release owner of train 303 (<@U0ALICE01>) or an admin can cut train 303.');
    expect(buttonValue(reply, 'tag_confirm')).toBeUndefined();
    // A Confirm forged from someone else's confirmation is refused too.
    const { value } = await confirmation(h, ALICE);
    const forged = await press(h, CAROL, 'tag_confirm', value);
    expect(String(forged.text)).toContain('Only the release owner of train 303 (<@U0ALICE01>) or an admin can cut train 303.');
    expect(h.github.workflowDispatches).toHaveLength(0);
    expect(await cutOf(h)).toBeNull();
  });

  test('the owner sees what will happen: train, tag, branch, commit, what made it, what rolls, and Confirm / Cancel', async () => {
    const { body, value } = await confirmation(h, ALICE);
    const text = textOf(body);
    expect(body.response_type).toBe('ephemeral');
    expect(text).toContain('Cut train 303?');
    expect(text).toContain('the branch `train-303` and the tag `v1.303.0` (train 303: it counts from `v1.302.0`)');
    expect(text).toContain(`\`${mainHead.slice(0, 7)}\`> Change number 3`);
    expect(text).toMatch(
      /\*Made it:\* 3 commits since `v1.302.0`: <https:\/\/github.com\/mozilla\/fxa\/pull\/9100\|#9100>, <[^>]*#9101>, <[^>]*#9102>/,
    );
    expect(text).toContain('*Rolls to train 304:* 2 open pull requests into `main`');
    // A PR title cannot ping the channel.
    expect(text).toContain('Still open &lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    expect(JSON.parse(value)).toEqual({ train: 303, sha: mainHead });
    expect(buttonValue(body, 'tag_cancel')).toBeUndefined();
    expect(text).toContain('"action_id":"tag_cancel"');
    // An admin may cut too; the owner of the train now in progress (304) may not (issue 13.9: test/tagging/authorization.test.ts).
    expect(buttonValue(await askToTag(h, BOB), 'tag_confirm')).toBeUndefined();
    expect(buttonValue(await askToTag(h, ADMIN), 'tag_confirm')).toBeDefined();
    expect(h.github.workflowDispatches).toHaveLength(0);
  });

  test('warnings: CI failing on main, and a cutoff not reached yet', async () => {
    h.github.setCheckRun(mainHead, { name: 'build', status: 'completed', conclusion: 'failure' });
    h.github.setCommitStatus(mainHead, { context: 'ci/circleci: unit-test', state: 'error' });
    const before = h.clock.now();
    h.clock.set('2026-11-18T15:00:00Z');
    try {
      const text = textOf(await askToTag(h, ALICE));
      expect(text).toContain(":warning: CI is failing on `main`'s head: `build`, `ci/circleci: unit-test`.");
      expect(text).toContain("Train 303's cutoff is not until Wed 18 Nov, 10:00 PT / 13:00 ET / 18:00 UTC (in 3 hours).");
    } finally {
      h.clock.set(before);
      h.github.checkRuns.length = 0;
      h.github.commitStatuses.length = 0;
    }
  });

  test('a stray tag that makes the workflow compute another number is refused, with the reason', async () => {
    h.github.addTag('v2.0.0', mainHead);
    try {
      const reply = await askToTag(h, ALICE);
      expect(String(reply.text)).toContain('The tagging workflow would cut *train 1*: it counts from `v2.0.0`');
      expect(String(reply.text)).toContain('The release tags say the next train is *303*');
      expect(buttonValue(reply, 'tag_confirm')).toBeUndefined();
    } finally {
      h.github.tags.delete('v2.0.0');
    }
  });

  test('an existing train branch is shown as a blocker without a Confirm button, and an old Confirm is refused', async () => {
    const { value } = await confirmation(h, ALICE);
    h.github.setBranch('train-303', mainHead);
    const reply = await askToTag(h, ALICE);
    expect(textOf(reply)).toContain(':no_entry: The branch `train-303` already exists');
    expect(buttonValue(reply, 'tag_confirm')).toBeUndefined();
    expect(textOf(reply)).toContain('"action_id":"tag_cancel"');
    const refused = await press(h, ALICE, 'tag_confirm', value);
    expect(String(refused.text)).toContain('The branch `train-303` already exists');
    expect(String(refused.text)).toContain('Nothing was dispatched.');
    expect(h.github.workflowDispatches).toHaveLength(0);
  });

  test('Cancel leaves everything as it was', async () => {
    await confirmation(h, ALICE);
    const reply = await press(h, ALICE, 'tag_cancel', undefined);
    expect(reply).toMatchObject({ replace_original: true, text: 'Cancelled: nothing was done.' });
    expect(await cutOf(h)).toBeNull();
  });

  test('a button value that names no train is refused', async () => {
    const reply = await press(h, ALICE, 'tag_confirm', '{"train":"303"}');
    expect(String(reply.text)).toContain('That button does not say which train to cut');
    expect(h.github.workflowDispatches).toHaveLength(0);
  });
});
