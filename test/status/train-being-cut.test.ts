/**
 * Between a train's cutoff and its tag the dashboard is about that train:
 * its header, owner, deploy notes and PR answers, the next train named below,
 * and no "train calendar may be off" alarm. Once the tag exists, it moves on.
 */
import { recordAnswer } from '../../src/reminders/answer-store';
import { addNote } from '../../src/notes/notes-store';
import { ALICE, AFTER_CUTOFF, arrangeTeam, BOB, CHANNEL, startTaggingHarness } from '../tagging/helpers';
import type { Harness } from '../support/harness';

async function publishedHome(h: Harness, userId: string): Promise<string> {
  const before = h.slack.callsTo('views.publish').length;
  await h.sender.sendEvent(h.sender.appHomeOpenedEvent({ userId }), { eventId: `Ev0${userId}` });
  await h.slack.waitForCalls('views.publish', before + 1, 8000);
  return JSON.stringify(h.slack.publishedView(userId)?.blocks ?? []);
}

async function status(h: Harness, userId = 'U0VIEWER1'): Promise<string> {
  h.slack.responses.length = 0;
  await h.sender.sendSlashCommand({ text: 'status', userId, channelId: CHANNEL });
  await h.slack.waitForResponses(1, 8000);
  await h.bot.app.deps.inFlight.idle(20_000);
  return JSON.stringify(h.slack.responses.at(-1)?.body ?? {});
}

describe('the dashboard while a train is being cut', () => {
  let h: Harness;
  let pr: number;

  beforeAll(async () => {
    // Wed 18 Nov 2026, 10:30 PT: train 303's cutoff passed half an hour ago; the repository's latest train is 302.
    h = await startTaggingHarness({ settings: { announcementChannel: CHANNEL, admins: { users: [] }, statusCacheSeconds: 0 } });
    await arrangeTeam(h);
    pr = h.github.addPullRequest({ title: 'Rolls to 304', authorLogin: 'dora' }).number;
    const before = new Date(Date.parse(AFTER_CUTOFF) - 2 * 3_600_000);
    await addNote({
      prisma: h.bot.database.prisma,
      train: 303,
      text: 'Run the 303 migration',
      forSre: true,
      authorSlackId: BOB,
      now: before,
    });
    await addNote({ prisma: h.bot.database.prisma, train: 304, text: 'A 304 note', forSre: false, authorSlackId: BOB, now: before });
    await recordAnswer({
      prisma: h.bot.database.prisma,
      train: 303,
      number: pr,
      authorSlackId: BOB,
      answer: 'roll',
      headSha: 'a'.repeat(40),
      now: before,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  test('after the cutoff and before the tag: train 303, its owner, notes and answers; the next train below; no calendar alarm', async () => {
    const text = await status(h);
    expect(text).toContain('Train 303: being cut (main is building 304)');
    expect(text).not.toContain('main is building it');
    expect(text).toContain(`*Release owner*\\n<@${ALICE}>`);
    expect(text).toContain('passed 30 minutes ago; not tagged yet');
    expect(text).toMatch(/Next: train 304 \(owner <@U0BOB0001>\), cutoff Wed 2 Dec, 10:00 PT/);
    expect(text).not.toContain('train calendar may be off');
    expect(text).toContain('*Deploy notes* for train 303 (1, 1 for SRE)');
    expect(text).toContain('Run the 303 migration');
    expect(text).not.toContain('A 304 note');
    expect(text).toMatch(/Rolls to 304.*by dora: /);
  });

  test('the App Home shows the same', async () => {
    const home = await publishedHome(h, 'U0VIEWER2');
    expect(home).toContain('Train 303: being cut (main is building 304)');
    expect(home).not.toContain('train calendar may be off');
  });

  test('once v1.303.0 exists, the dashboard is about train 304 and its owner', async () => {
    const head = h.github.branches.get('main');
    if (!head) throw new Error('no main');
    h.github.addTag('v1.303.0', head, { annotated: true, message: 'Train release 303' });
    const text = await status(h);
    expect(text).toContain('Train 304: main is building it');
    expect(text).toContain(`*Release owner*\\n<@${BOB}>`);
    expect(text).toContain('*Deploy notes* for train 304 (1)');
    expect(text).not.toContain('Run the 303 migration');
  });
});
