/**
 * The day of the cut, after the sweeps: the last call an hour before the
 * cutoff (what is still open, deploy notes, pre-cut checks; only the people
 * asked to act are mentioned), the cutoff message starting the train's thread,
 * the SRE hand-off (user group) at the cutoff and at the tag, and the chase
 * while the train is not tagged: the owner by DM, then the admins. Each once.
 */
import { harnessForAll } from '../support/harness';
import { insertWaitingPatchRequest } from '../support/patch-requests';
import {
  ADMIN,
  ALICE,
  BOB,
  CHANNEL,
  CUTOFF,
  ERIN,
  START,
  after,
  arrangeCutoffDay,
  blocksText,
  channelMessages,
  command,
  dmsWith,
  settings,
  tickAt,
} from './cutoff-day';

const SRE = 'S0SRE0001';
const LAST_CALL = new Date(CUTOFF.getTime() - 60 * 60_000);

describe('last call, cutoff, SRE hand-off and chasing', () => {
  const h = harnessForAll(
    { settings: { ...settings, sreContact: SRE, tagChase: { ownerAfterMinutes: 30, adminsAfterMinutes: 60 } }, now: START },
    async (h) => {
      await arrangeCutoffDay(h);
      h.github.addPullRequest({ number: 9, title: 'Fix the <!channel> login crash', authorLogin: 'bob-gh', labels: ['Release-Blocker'] });
      const main = h.github.branches.get('main');
      if (!main) throw new Error('no main');
      h.github.setCheckRun(main, { name: 'lint', status: 'completed', conclusion: 'failure' });
      await insertWaitingPatchRequest(h, { train: 301, requestedBy: BOB, viewId: 'V0TEST', trainWhere: 'stage' });
    },
  );
  const lastCalls = () => channelMessages(h).filter((m) => m.text.startsWith('Last call'));
  const sreMessages = () => channelMessages(h).filter((m) => m.text.includes('special step'));

  test('the last call, an hour before the cutoff, once: open PRs, deploy notes, pre-cut checks; mentions only who must act', async () => {
    await command(h, ERIN, 'notes sre Run the auth-server migration before the deploy');
    await tickAt([h], after(LAST_CALL));
    await tickAt([h], after(LAST_CALL, 2));
    expect(lastCalls()).toHaveLength(1);
    const [call] = lastCalls();
    expect(call?.text).toBe('Last call for train 302: tagging at Wed 4 Nov, 10:00 PT / 13:00 ET / 18:00 UTC.');
    const text = blocksText(call);
    expect(text).toContain('*Last call for train 302.* alice tags it at Wed 4 Nov, 10:00 PT / 13:00 ET / 18:00 UTC (in 59 minutes).');
    // The owner is named, not pinged (she is mentioned only as the author of her own open PR, which she must land).
    expect(text).toMatch(/#1 Add passkeys> by <@U0ALICE01>/);
    // Still open: Bob's PRs (no answer yet: he is asked to act, so mentioned); Dave is not on Slack; drafts and ignored labels left out.
    expect(text).toMatch(/#4 Refactor the mailer> by <@U0BOB0001>: _no answer yet: merge it or say it rolls_/);
    expect(text).toMatch(/#5 Docs> by dave-gh: _no answer yet/);
    expect(text).not.toContain('WIP: settings');
    expect(text).not.toContain('Update dependency x');
    expect(text).toContain('1 draft rolls unless marked ready and merged.');
    expect(text).toContain('*Deploy notes:* 1 for train 302 (1 for SRE). Missing one?');
    // Pre-cut checks: the patch request waiting, the open release blocker (its author asked to act), CI failing on main.
    expect(text).toContain("Patch request #1 for train 301 awaits the owner's decision.");
    expect(text).toMatch(/Release blocker still open: <[^>]+\|#9 Fix the &lt;!channel&gt; login crash> by <@U0BOB0001>/);
    expect(text).toContain(":x: CI failing on `main`'s head: `lint`.");
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<!subteam');
  });

  test('the cutoff message starts the train thread; SRE hears of the special steps once, without pinging the notes’ authors', async () => {
    await tickAt([h], after(CUTOFF));
    await tickAt([h], after(CUTOFF, 2));
    const cutoff = channelMessages(h).find((m) => m.text.startsWith('Tagging train 302'));
    expect(blocksText(cutoff)).toContain("Tagging, CI and stage news follow in this message's thread.");
    const thread = await h.bot.database.prisma.trainThread.findUnique({ where: { train: 302 } });
    expect(thread).toMatchObject({ channel: CHANNEL, ts: cutoff?.ts });
    expect(sreMessages()).toHaveLength(1);
    const sre = blocksText(sreMessages()[0]);
    expect(sre).toContain(`<!subteam^${SRE}> *Train 302* was cut at Wed 4 Nov, 10:00 PT / 13:00 ET / 18:00 UTC and is being tagged now.`);
    expect(sre).toContain('• :rotating_light: *SRE:* Run the auth-server migration before the deploy');
    expect(sre).not.toContain(`<@${ERIN}>`);
    expect(sre).toContain(`<https://slack.com/archives/${CHANNEL}/p${cutoff?.ts.replace('.', '')}|the cutoff message>`);
    expect(sre).toContain('`/release notes list 302`');
  });

  test('untagged 30 minutes after the cutoff: the owner gets a DM, once; an hour later the admins', async () => {
    const before = dmsWith(h, ALICE).length;
    await tickAt([h], after(CUTOFF, 29));
    expect(dmsWith(h, ALICE)).toHaveLength(before);
    await tickAt([h], after(CUTOFF, 31));
    await tickAt([h], after(CUTOFF, 36));
    const chases = dmsWith(h, ALICE).slice(before);
    expect(chases.map((m) => m.text)).toEqual([
      ':hourglass: Train 302 is not tagged yet: its cutoff was Wed 4 Nov, 10:00 PT / 13:00 ET / 18:00 UTC, 31 minutes ago. Cut it with /release tag (it shows what made it, and anything merged after the cutoff).',
    ]);
    expect(dmsWith(h, ADMIN)).toHaveLength(0);
    await tickAt([h], after(CUTOFF, 91));
    await tickAt([h], after(CUTOFF, 96));
    expect(dmsWith(h, ADMIN).map((m) => m.text)).toEqual([
      ':hourglass: Train 302 is still not tagged: its cutoff was Wed 4 Nov, 10:00 PT / 13:00 ET / 18:00 UTC, 1 hour 31 minutes ago. Its owner <@U0ALICE01> was reminded by DM. As an admin you can cut it with /release tag.',
    ]);
    expect(dmsWith(h, ALICE).slice(before)).toHaveLength(1);
    expect(dmsWith(h, BOB).filter((m) => m.text.includes('not tagged'))).toEqual([]);
  });

  test('once the tag exists (here pushed by hand), SRE hears again, once, and nobody is chased', async () => {
    const main = h.github.branches.get('main');
    if (!main) throw new Error('no main');
    h.github.addTag('v1.302.0', main, { annotated: true, message: 'Train release 302' });
    await tickAt([h], after(CUTOFF, 101));
    await tickAt([h], after(CUTOFF, 106));
    expect(sreMessages()).toHaveLength(2);
    expect(blocksText(sreMessages()[1])).toContain(`<!subteam^${SRE}> *Train 302* is tagged; it heads for stage.`);
    // Bob is no admin and not the owner; the admin got one DM in all.
    expect(dmsWith(h, ADMIN)).toHaveLength(1);
  });
});
