/**
 * The answer buttons' bad inputs and faults: pressed twice, by someone else,
 * after the cutoff, for a PR merged or closed meanwhile, with a value that is
 * not ours, with GitHub down, and after the owner's summary was deleted; and a
 * PR merged after its author said it would roll, reported as a surprise.
 */
import type { FakeSlackMessage } from '../fakes/slack-server';
import { startHarness, type Harness } from '../support/harness';
import {
  ALICE,
  BOB,
  CAROL,
  CUTOFF,
  MALLORY,
  PR,
  SWEEP_1,
  after,
  arrangeCutoffDay,
  blocksText,
  channelMessages,
  dmsWith,
  press,
  settings,
  tickAt,
} from './cutoff-day';

describe('answering a PR sweep', () => {
  let h: Harness;
  const dm = (userId: string) => dmsWith(h, userId)[0] as FakeSlackMessage;
  const answers = () => h.bot.database.prisma.pullRequestAnswer.findMany({ orderBy: { number: 'asc' } });
  const audits = () => h.bot.database.prisma.auditEvent.findMany({ where: { action: 'reminders.answer' }, orderBy: { id: 'asc' } });

  beforeAll(async () => {
    h = await startHarness({ settings, now: '2026-11-04T14:00:00Z' });
    await arrangeCutoffDay(h);
    await tickAt([h], after(SWEEP_1));
    h.clock.set('2026-11-04T15:20:00Z');
  });
  afterAll(async () => {
    await h.close();
  });

  test('a button pressed twice records once', async () => {
    const first = await press(h, { userId: BOB, dm: dm(BOB), number: PR.emails, actionId: 'pr_answer_roll' });
    const second = await press(h, { userId: BOB, dm: dm(BOB), number: PR.emails, actionId: 'pr_answer_roll' });
    expect(first.replace_original).toBe(true);
    expect(second).toEqual(expect.objectContaining({ response_type: 'ephemeral', replace_original: false }));
    expect(second.text).toBe('You had already answered :arrow_right: rolls to the next train for #2; nothing changed.');
    expect((await answers()).map((a) => [a.number, a.answer])).toEqual([[2, 'roll']]);
    expect(await audits()).toHaveLength(1);
  });

  test('changing one’s mind updates the answer, and the audit log keeps both', async () => {
    await press(h, { userId: BOB, dm: dm(BOB), number: PR.emails, actionId: 'pr_answer_land' });
    expect((await answers()).map((a) => [a.number, a.answer])).toEqual([[2, 'land']]);
    expect((await audits()).map((a) => a.details)).toEqual([
      expect.objectContaining({ train: 302, answer: 'roll', previous: null }),
      expect.objectContaining({ train: 302, answer: 'land', previous: 'roll' }),
    ]);
  });

  test('someone who is not the PR’s author is refused, and nothing is recorded', async () => {
    const reply = await press(h, { userId: MALLORY, dm: dm(CAROL), number: PR.limits, actionId: 'pr_answer_roll' });
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe(':warning: Only <@U0CAROL01>, who opened #3, can answer for it.');
    expect((await answers()).map((a) => a.number)).toEqual([2]);
  });

  test('a PR merged or closed since the sweep gets a clear message and no answer', async () => {
    h.github.mergePullRequest(PR.refactor, '2026-11-04T15:15:00Z');
    const merged = await press(h, { userId: BOB, dm: dm(BOB), number: PR.refactor, actionId: 'pr_answer_roll' });
    expect(merged.text).toBe('#4 was merged already at 07:15 PST: it rides train 302. No answer needed.');
    h.github.closePullRequest(PR.passkeys, '2026-11-04T15:16:00Z');
    const closed = await press(h, { userId: ALICE, dm: dm(ALICE), number: PR.passkeys, actionId: 'pr_answer_land' });
    expect(closed.text).toBe('#1 was closed without merging, so there is nothing to answer for it.');
    expect((await answers()).map((a) => a.number)).toEqual([2]);
  });

  test('a button value that is not ours is refused', async () => {
    const before = h.slack.responses.length;
    await h.sender.sendBlockActions(
      h.sender.blockActionsPayload({
        userId: CAROL,
        actionId: 'pr_answer_land',
        value: '{"t":302,"n":"3; drop table"}',
        channelId: dm(CAROL).channel,
        messageTs: dm(CAROL).ts,
      }),
    );
    await h.slack.waitForResponses(before + 1, 5000);
    expect(h.slack.responses[before]?.body.text).toBe(
      ':warning: That button does not name a pull request; wait for the next sweep to ask again.',
    );
  });

  test('with GitHub down the answer is still recorded', async () => {
    h.github.injectFault({ status: 502 }, { times: 4 });
    const reply = await press(h, { userId: CAROL, dm: dm(CAROL), number: PR.limits, actionId: 'pr_answer_unsure' });
    h.github.clearFaults();
    expect(reply.replace_original).toBe(true);
    expect((await answers()).map((a) => [a.number, a.answer])).toEqual([
      [2, 'land'],
      [3, 'unsure'],
    ]);
  });

  test('a deleted owner summary is posted again with the next answer', async () => {
    const summaryRow = await h.bot.database.prisma.slackMessage.findFirstOrThrow({ where: { kind: 'owner-summary' } });
    await h.bot.app.deps.slack.chat.delete({ channel: summaryRow.channel ?? '', ts: summaryRow.ts ?? '' });
    expect(dmsWith(h, ALICE).filter((m) => m.ts === summaryRow.ts)).toEqual([]);
    await press(h, { userId: CAROL, dm: dm(CAROL), number: PR.limits, actionId: 'pr_answer_roll' });
    const row = await h.bot.database.prisma.slackMessage.findFirstOrThrow({ where: { kind: 'owner-summary' } });
    expect(row.ts).not.toBe(summaryRow.ts);
    const reposted = dmsWith(h, ALICE).find((m) => m.ts === row.ts);
    expect(reposted?.text).toContain('1 will land, 1 roll');
    expect(await h.bot.database.prisma.slackMessage.count({ where: { kind: 'owner-summary' } })).toBe(1);
  });

  test('a PR merged after its author said it would roll is a surprise in the cutoff message', async () => {
    // Carol's last answer for #3 was "roll"; then it is merged before the cutoff anyway.
    h.github.mergePullRequest(PR.limits, '2026-11-04T17:30:00Z');
    await tickAt([h], after(CUTOFF));
    const [cutoff] = channelMessages(h);
    const text = blocksText(cutoff);
    expect(text).toMatch(/\*Made it\* \(3 merged since train 301 was cut\)/);
    expect(text).toMatch(
      /:eyes: \*Surprises\*\\n• <[^>]+\|#3 Rate limits> by Carol-GH was merged at 09:30 PST, after the answer _roll to the next train_ \(07:20 PST\)\./,
    );
    // #2 is still open although Bob said it would land: it rolls, and that is a surprise too (issue 15 item 9).
    expect(text).toMatch(/#2 Fix [^•]*by bob-gh: :white_check_mark: will land in time/);
    expect(text).toMatch(/• <[^>]+\|#2 Fix [^•]*by bob-gh is still open, after the answer _will land in time_ \(07:20 PST\)\./);
    // In the channel only the owner, asked to tag, is mentioned (authors are named).
    expect(text.match(/<@U[0-9A-Z]+>/g)).toEqual(['<@U0ALICE01>']);
  });

  test('pressed after the cutoff: the train was cut, the PR rolls (or rode it, if merged before)', async () => {
    h.clock.set(after(CUTOFF, 5));
    const rolled = await press(h, { userId: BOB, dm: dm(BOB), number: PR.emails, actionId: 'pr_answer_roll' });
    expect(rolled.response_type).toBe('ephemeral');
    expect(rolled.text).toBe(
      'Train 302 was cut at Wed 4 Nov, 10:00 PT / 13:00 ET / 18:00 UTC; your PR #2 rolls to train 303. Your answer was not recorded.',
    );
    const rode = await press(h, { userId: CAROL, dm: dm(CAROL), number: PR.limits, actionId: 'pr_answer_land' });
    expect(rode.text).toBe(
      'Train 302 was cut at Wed 4 Nov, 10:00 PT / 13:00 ET / 18:00 UTC. #3 was merged before that: it rides train 302. Nothing to answer.',
    );
    expect((await answers()).map((a) => [a.number, a.answer])).toEqual([
      [2, 'land'],
      [3, 'roll'],
    ]);
  });
});
