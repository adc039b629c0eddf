/**
 * Late merges at the cut: `/release tag` after the cutoff lists the pull
 * requests merged into main after it (by merge time; the workflow tags main's
 * head, so they ride this train), offers Cut anyway / Cancel (revert or wait),
 * and the train's thread records the choice. Also the pre-cut checks
 * (release blockers, patches waiting) in the confirmation.
 */
import type { Harness } from '../support/harness';
import {
  ALICE,
  arrangeTeam,
  askToTag,
  buttonValue,
  CAROL,
  cutOf,
  forgetCut,
  lastTs,
  press,
  repliesNow,
  startTaggingHarness,
  textOf,
} from './helpers';

describe('/release tag: pull requests merged after the cutoff', () => {
  let h: Harness;
  let mainHead: string;
  let late: number;
  let mark = '0';

  beforeAll(async () => {
    // Wed 18 Nov 2026, 10:30 PT: train 303's cutoff (10:00 PT, 18:00 UTC) passed half an hour ago.
    h = await startTaggingHarness();
    await arrangeTeam(h);
    h.github.mergePullRequest(h.github.addPullRequest({ title: 'Made it in time', authorLogin: 'erin' }).number, '2026-11-18T17:55:00Z');
    late = h.github.addPullRequest({ title: 'Landed <!here> late', authorLogin: 'dora' }).number;
    h.github.mergePullRequest(late, '2026-11-18T18:03:00Z');
    const head = h.github.branches.get('main');
    if (!head) throw new Error('no main branch');
    mainHead = head;
    h.github.addPullRequest({ title: 'Fix the login crash', authorLogin: 'frank', labels: ['Release-Blocker'] });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(async () => {
    await forgetCut(h, mainHead);
    mark = lastTs(h);
  });

  test('the confirmation lists the late merge, the choice, the pre-cut checks, and offers Cut anyway / Cancel instead of Confirm', async () => {
    const reply = await askToTag(h, ALICE);
    const text = textOf(reply);
    expect(String(reply.text)).toContain('1 merged after the cutoff. Cut train 303 from main');
    expect(text).toContain('*Merged after the cutoff* (Wed 18 Nov, 10:00 PT / 13:00 ET / 18:00 UTC): 1 pull request.');
    expect(text).toContain('so it rides train 303 if you cut now:');
    expect(text).toContain(`/pull/${late}|#${late} Landed &lt;!here&gt; late> by dora, merged Wed 18 Nov, 10:03 PT`);
    expect(text).not.toContain('Made it in time');
    expect(text).toContain('cut anyway (they ride train 303); or revert them on `main` and run `/release tag` again; or wait');
    // Pre-cut checks: the open release blocker (label compared without case), no patches waiting.
    expect(text).toContain('*Before you cut:*');
    expect(text).toMatch(/:rotating_light: Release blocker still open: <[^>]+\|#\d+ Fix the login crash> by frank/);
    expect(text).toContain('No patch request is waiting and no dot release is planned.');
    expect(buttonValue(reply, 'tag_confirm')).toBeUndefined();
    expect(buttonValue(reply, 'tag_cut_anyway')).toBe(JSON.stringify({ train: 303, sha: mainHead, late: [late] }));
    expect(buttonValue(reply, 'tag_late_cancel')).toBeDefined();
  });

  test('Cancel dispatches nothing and the thread records that the owner waits', async () => {
    const value = buttonValue(await askToTag(h, ALICE), 'tag_late_cancel');
    const reply = await press(h, ALICE, 'tag_late_cancel', value);
    expect(String(reply.text)).toContain("Cancelled: nothing was dispatched, and train 303's thread says you are waiting.");
    expect(h.github.workflowDispatches).toHaveLength(0);
    expect(await cutOf(h)).toBeNull();
    const thread = await repliesNow(h, mark);
    expect(thread.map((m) => m.text)).toEqual([
      `:pause_button: alice did not cut train 303 yet: <https://github.com/mozilla/fxa/pull/${late}|#${late}> was merged after the cutoff (revert, or wait).`,
    ]);
  });

  test('Cut anyway dispatches once and the thread records who cut with which late PRs', async () => {
    const value = buttonValue(await askToTag(h, ALICE), 'tag_cut_anyway');
    const reply = await press(h, ALICE, 'tag_cut_anyway', value);
    expect(String(reply.text)).toContain('Dispatched `tag-release.yml` for train 303');
    const again = await press(h, ALICE, 'tag_cut_anyway', value);
    expect(String(again.text)).toContain('Train 303 is already being cut');
    expect(h.github.workflowDispatches).toHaveLength(1);
    const texts = (await repliesNow(h, mark)).map((m) => m.text);
    expect(texts).toContain(
      `:warning: alice cut train 303 anyway, with 1 pull request merged after the cutoff riding it: <https://github.com/mozilla/fxa/pull/${late}|#${late}>.`,
    );
    expect(texts.filter((t) => t.includes('anyway'))).toHaveLength(1);
    const audit = await h.bot.database.prisma.auditEvent.findMany({ where: { action: 'tag.cut-anyway' } });
    expect(audit.map((a) => [a.actor, a.details])).toEqual([[ALICE, { sha: mainHead, late: [late] }]]);
  });

  test('someone else may not cut anyway or cancel for the owner; a forged value is refused', async () => {
    const value = buttonValue(await askToTag(h, ALICE), 'tag_cut_anyway');
    for (const action of ['tag_cut_anyway', 'tag_late_cancel']) {
      const reply = await press(h, CAROL, action, value);
      expect(String(reply.text)).toContain('Only the release owner of train 303 (<@U0ALICE01>) or an admin can');
    }
    const forged = await press(h, ALICE, 'tag_cut_anyway', JSON.stringify({ train: 303, sha: mainHead, late: ['x'] }));
    expect(String(forged.text)).toContain('That button does not say which train to cut; run `/release tag` again.');
    expect(h.github.workflowDispatches).toHaveLength(0);
    expect(await repliesNow(h, mark)).toEqual([]);
  });
});
