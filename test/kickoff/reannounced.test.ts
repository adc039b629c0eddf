/**
 * Issue 15 item 9: an owner announced again (the first said "I can't" three
 * hours in) gets the full `kickoffConfirmHours` (4) before the admins are
 * pinged; each announced owner who does not confirm is reported once.
 */
import type { FakeSlackMessage } from '../fakes/slack-server';
import type { Harness } from '../support/harness';
import { at, startKickoffScene } from './scene';
import { ALICE, CHANNEL } from '../support/team';

describe('a re-announced owner gets the full time to confirm', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startKickoffScene();
  });
  afterAll(async () => {
    await h.close();
  });
  const tickAt = async (instant: Date) => {
    h.clock.set(instant);
    await h.bot.app.scheduler.tick(instant);
  };
  const announcements = () => h.slack.messagesIn(CHANNEL).filter((m) => !m.thread_ts && /kicks off/.test(m.text ?? ''));
  const adminPings = () => h.slack.messagesIn(CHANNEL).filter((m) => m.thread_ts && /has not confirmed train 303/.test(m.text ?? ''));

  test('Alice declines after 3 hours; Bob is not reported at the 4-hour mark, but 4 hours after his own announcement, once', async () => {
    await tickAt(at(1));
    const [first] = announcements();
    if (!first) throw new Error('no announcement');
    h.clock.set(at(180));
    const before = h.slack.responses.length;
    await h.sender.sendBlockActions(
      h.sender.blockActionsPayload({
        userId: ALICE,
        actionId: 'kickoff_decline',
        value: '303',
        channelId: CHANNEL,
        messageTs: first.ts,
        message: { ...first },
      }),
    );
    await h.slack.waitForResponses(before + 1, 5000);
    const again = announcements()[1] as FakeSlackMessage;
    expect(again.text).toContain('Release owner: <@U0BOB0001>');
    // The first deadline (kickoff + 4 h): Bob was announced an hour ago, so the admins are not pinged yet.
    await tickAt(at(4 * 60 + 1));
    expect(adminPings()).toEqual([]);
    for (let hour = 5; hour <= 8; hour++) await tickAt(at(hour * 60 + 1));
    // Bob announced at 3 h: reported once, at 7 h, in his announcement's thread.
    const pings = adminPings();
    expect(pings.map((m) => m.text)).toEqual([expect.stringMatching(/^<@U0ADMIN01>: <@U0BOB0001> has not confirmed train 303 yet/)]);
    expect(pings[0]?.thread_ts).toBe(again.ts);
  });
});
