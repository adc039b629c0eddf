/**
 * A whole cutoff day, end to end (signed HTTP, fake Slack, fake GitHub, real
 * PostgreSQL, a fake clock): the check-in, two sweeps, answers from three
 * authors, one PR merged and one rolled, then the cutoff message.
 */
import type { FakeSlackMessage } from '../fakes/slack-server';
import { harnessForAll } from '../support/harness';
import {
  ALICE,
  BOB,
  CAROL,
  CHANNEL,
  CHECK_IN,
  CUTOFF,
  ERIN,
  PR,
  START,
  SWEEP_1,
  SWEEP_2,
  after,
  arrangeCutoffDay,
  blocksText,
  channelMessages,
  command,
  dmsWith,
  press,
  settings,
  tickAt,
} from './cutoff-day';

describe('a cutoff day', () => {
  const h = harnessForAll({ settings, now: START }, arrangeCutoffDay);

  test('the check-in names the owner and the cutoff, lists open PRs by author and asks for deploy notes', async () => {
    await tickAt([h], after(CHECK_IN));
    const [checkIn, ...others] = channelMessages(h);
    expect(others).toEqual([]);
    const text = blocksText(checkIn);
    expect(text).toContain('*Train 302 is cut in 23 hours 59 minutes.* Release owner: <@U0ALICE01>');
    expect(text).toContain('Wed 4 Nov, 10:00 PT / 13:00 ET / 18:00 UTC');
    expect(text).toContain(`<!date^${CUTOFF.getTime() / 1000}^`);
    // Grouped by author, GitHub's text escaped, ignored labels left out, drafts apart.
    expect(text).toMatch(
      /\*bob-gh\*: <[^>]+\|#2 Fix &lt;!channel&gt; &amp; &lt;@U999&gt; in emails> _\(:no_entry: merge conflict · :x: CI failing\)_, <[^>]+\|#4 Refactor the mailer>/,
    );
    expect(text).toContain('*Open PRs into `main`* (5 by 4 authors)');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('Update dependency x');
    expect(text).toMatch(/Drafts \(they roll unless marked ready and merged in time\): <[^>]+\|#6 WIP: settings>/);
    // Slack reads `<…>` as a link even inside backticks: the placeholders are escaped, shown literally.
    expect(text).toContain('`/release notes add &lt;text&gt;`');
    expect(text).toContain('`/release notes sre &lt;text&gt;`');
  });

  test('deploy notes are added for the train in progress', async () => {
    expect(await command(h, BOB, 'notes add Restart the mailer after the deploy <!channel>')).toContain(
      'Deploy note `1` added to train 302',
    );
    expect(await command(h, ERIN, 'notes sre Run the auth-server migration before the deploy')).toContain(
      'Special step for SRE `2` added to train 302',
    );
  });

  let firstSummary: FakeSlackMessage;

  test('the first sweep DMs each author once with all their PRs and what blocks them; the owner gets a summary', async () => {
    h.github.resetRequests();
    await tickAt([h], after(SWEEP_1));
    // One GraphQL read for every open PR; one for the profiles of all the authors not on the roster (issue 12, item 6).
    expect(h.github.requests.map((r) => r.operationName ?? r.path)).toEqual(['StatusSnapshot', 'PublicEmails']);
    const [aliceDm, summary, ...aliceRest] = dmsWith(h, ALICE);
    expect(aliceRest).toEqual([]);
    expect(aliceDm?.text).toContain('will your PRs land in time?');
    expect(blocksText(aliceDm)).toContain('#1 Add passkeys');
    expect(blocksText(aliceDm)).toContain(':white_check_mark: nothing in the way');
    // Bob: one DM for two PRs, each with its blockers and its own buttons.
    const bobDms = dmsWith(h, BOB);
    expect(bobDms).toHaveLength(1);
    const bob = blocksText(bobDms[0]);
    expect(bob).toContain('#2 Fix &lt;!channel&gt; &amp; &lt;@U999&gt; in emails');
    expect(bob).toContain(':no_entry: merge conflict · :x: CI failing');
    expect(bob).toContain(':memo: changes requested');
    expect(bob).toContain('"block_id":"pr-answer:2"');
    expect(bob).toContain('"block_id":"pr-answer:4"');
    expect(bob).toContain('Will land in time');
    expect(bob).toContain('Roll to next train');
    expect(bob).toContain('Not sure');
    // Carol is not on the roster: found by the e-mail on her GitHub profile.
    expect(blocksText(dmsWith(h, CAROL)[0])).toContain(':eyes: review missing');
    // Erin has only a draft: not asked.
    expect(dmsWith(h, ERIN)).toEqual([]);
    expect(
      h.slack
        .callsTo('users.lookupByEmail')
        .map((c) => c.args.email)
        .sort(),
    ).toEqual(['carol@example.com', 'dave@elsewhere.example']);

    expect(summary?.text).toContain('Train 302: 5 open PRs before the cutoff (0 will land, 0 roll, 0 not sure, 5 without an answer)');
    const text = blocksText(summary);
    expect(text).toContain('`dave-gh` _(author not on Slack)_');
    expect(text).toMatch(/#3 Rate limits> by <@U0CAROL01>/);
    expect(text).toContain('Drafts (roll unless marked ready)');
    firstSummary = summary as FakeSlackMessage;
  });

  test('three authors answer; the owner summary updates in place', async () => {
    const [aliceDm] = dmsWith(h, ALICE);
    const [bobDm] = dmsWith(h, BOB);
    const [carolDm] = dmsWith(h, CAROL);
    h.clock.set('2026-11-04T15:10:00Z');
    const reply = await press(h, { userId: ALICE, dm: aliceDm as FakeSlackMessage, number: PR.passkeys, actionId: 'pr_answer_land' });
    expect(reply.replace_original).toBe(true);
    // The answer's time in the DM is shown in the reader's own zone (Slack's date token), PT as the fallback.
    expect(JSON.stringify(reply.blocks)).toContain(
      'You answered :white_check_mark: will land in time at <!date^1793805000^{time}|07:10 PST>.',
    );
    // The buttons stay, to change one's mind.
    expect(JSON.stringify(reply.blocks)).toContain('pr_answer_roll');
    await press(h, { userId: BOB, dm: bobDm as FakeSlackMessage, number: PR.emails, actionId: 'pr_answer_roll' });
    await press(h, { userId: BOB, dm: bobDm as FakeSlackMessage, number: PR.refactor, actionId: 'pr_answer_land' });
    await press(h, { userId: CAROL, dm: carolDm as FakeSlackMessage, number: PR.limits, actionId: 'pr_answer_unsure' });

    const summaries = dmsWith(h, ALICE).filter((m) => m.ts === firstSummary.ts);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.text).toContain('2 will land, 1 roll, 1 not sure, 1 without an answer');
    const rows = await h.bot.database.prisma.pullRequestAnswer.findMany({ orderBy: { number: 'asc' } });
    expect(rows.map((r) => [r.number, r.authorSlackId, r.answer])).toEqual([
      [1, ALICE, 'land'],
      [2, BOB, 'roll'],
      [3, CAROL, 'unsure'],
      [4, BOB, 'land'],
    ]);
    expect(await h.bot.database.prisma.auditEvent.count({ where: { action: 'reminders.answer' } })).toBe(4);
  });

  test('/release status shows the answers per PR and the deploy notes', async () => {
    const text = await command(h, ERIN, 'status');
    expect(text).toMatch(/#2 Fix [^•]*: :arrow_right: rolls to the next train/);
    expect(text).toMatch(/#1 Add passkeys[^•]*: :white_check_mark: will land in time/);
    expect(text).toContain('*Deploy notes* for train 302 (2, 1 for SRE)');
    expect(text).toContain(':rotating_light: *SRE:* Run the auth-server migration before the deploy');
    expect(text).toContain('Restart the mailer after the deploy &lt;!channel&gt;');
  });

  test('the second sweep asks only authors whose PRs changed; merged PRs leave the summary’s open list', async () => {
    // Alice's PR lands; Bob pushes to #4 after answering.
    h.github.mergePullRequest(PR.passkeys, '2026-11-04T16:30:00Z');
    const pushed = h.github.addCommit({ message: 'more refactoring' });
    h.github.updatePullRequest(PR.refactor, { headSha: pushed, reviewDecision: 'APPROVED' });
    const postsBefore = h.slack.callsTo('chat.postMessage').length;

    await tickAt([h], after(SWEEP_2));
    const posts = h.slack.callsTo('chat.postMessage').slice(postsBefore);
    // Bob's second DM, and the last call in the channel (60 minutes before the cutoff, like this sweep).
    expect(posts.map((c) => String(c.args.channel)).sort()).toEqual([CHANNEL, h.slack.dmChannelFor(BOB)].sort());
    const bobDms = dmsWith(h, BOB);
    expect(bobDms).toHaveLength(2);
    const second = blocksText(bobDms[1]);
    // What Bob said before shows, and the new commits are pointed out.
    expect(second).toContain('You answered :arrow_right: rolls to the next train at <!date^1793805000^{time}|07:10 PST>.');
    expect(second).toContain(
      'You answered :white_check_mark: will land in time at <!date^1793805000^{time}|07:10 PST>. New commits since then: is that still right?',
    );

    // Still one summary, updated in place.
    const aliceDms = dmsWith(h, ALICE);
    expect(aliceDms).toHaveLength(2);
    const summary = aliceDms.find((m) => m.ts === firstSummary.ts);
    expect(summary?.edited).toBeDefined();
    expect(summary?.text).toContain('4 open PRs');
    expect(blocksText(summary)).toMatch(/\*No longer open\* \(merged or closed since a sweep saw them\):\\n• <[^>]+\|#1 Add passkeys>/);
    expect(blocksText(summary)).toContain('_(new commits since)_');
  });

  test('the cutoff message: tagging now, what made it, what rolls with the answers, the notes, and /release tag', async () => {
    await tickAt([h], after(CUTOFF));
    const messages = channelMessages(h);
    expect(messages.map((m) => m.text.slice(0, 22))).toEqual([
      'Train 302 is cut Wed 4',
      'Last call for train 30',
      'Tagging train 302 now:',
    ]);
    const cutoff = messages[2];
    expect(cutoff?.text).toBe('Tagging train 302 now: 2 made it, 4 roll to train 303.');
    const text = blocksText(cutoff);
    expect(text).toContain('*Tagging train 302 now.*');
    expect(text).toMatch(
      /\*Made it\* \(2 merged since train 301 was cut\):\\n• <[^>]+\|#8 Merged last week> by erin-gh\\n• <[^>]+\|#1 Add passkeys> by Alice-GH/,
    );
    expect(text).toContain('*Rolls to train 303* (4 still open)');
    expect(text).toMatch(/#2 Fix &lt;!channel&gt; &amp; &lt;@U999&gt; in emails> by bob-gh: :arrow_right: rolls to the next train/);
    expect(text).toMatch(/#3 Rate limits> by Carol-GH: :grey_question: not sure/);
    expect(text).toMatch(/#5 Docs> by dave-gh: _no answer_/);
    expect(text).toContain('1 draft rolls too.');
    // Bob said #4 would land and it is still open: a surprise.
    expect(text).toMatch(
      /:eyes: \*Surprises\*\\n• <[^>]+\|#4 Refactor the mailer> by bob-gh is still open, after the answer _will land in time_/,
    );
    expect(text).toMatch(
      /\*Deploy notes\* for train 302:\\n• :rotating_light: \*SRE:\* Run the auth-server migration before the deploy _\(erin\)_\\n• Restart the mailer/,
    );
    expect(text).toContain('<@U0ALICE01>: tag it with `/release tag`.');
    // One mention in the channel message: the owner, asked to tag (authors and note writers are named).
    expect(text.match(/<@U[0-9A-Z]+>/g)).toEqual(['<@U0ALICE01>']);
    // The owner's summary now says the train is cut.
    expect(blocksText(dmsWith(h, ALICE).find((m) => m.ts === firstSummary.ts))).toContain('*Cut* at');

    // Each message of the day once: check-in, 3 + 1 DMs, one summary, the cutoff message.
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(8);
    const runs = await h.bot.database.sql.query<{ job: string; status: string; n: string }>(
      `SELECT job, status, count(*) AS n FROM job_runs WHERE job IN ('cutoff-check-in', 'pr-sweep', 'cutoff-message') GROUP BY job, status ORDER BY job`,
    );
    expect(runs).toEqual([
      { job: 'cutoff-check-in', status: 'done', n: '1' },
      { job: 'cutoff-message', status: 'done', n: '1' },
      { job: 'pr-sweep', status: 'done', n: '2' },
    ]);
  });
});
