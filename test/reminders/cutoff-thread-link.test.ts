/** The cutoff message links the train's thread when there is one (the kickoff announcement), and posts no other root message. */
import { harnessForAll } from '../support/harness';
import { ALICE, CHANNEL, CUTOFF, START, after, arrangeCutoffDay, blocksText, channelMessages, settings, tickAt } from './cutoff-day';

describe('the cutoff message and the train thread', () => {
  const h = harnessForAll({ settings: { ...settings, lastCallMinutesBeforeCutoff: 0 }, now: START }, async (h) => {
    await arrangeCutoffDay(h);
    await h.bot.database.prisma.trainAssignment.upsert({
      where: { train: 302 },
      create: {
        train: 302,
        slackUserId: ALICE,
        source: 'rotation',
        announcedAt: h.clock.now(),
        announcementChannel: CHANNEL,
        announcementTs: '1690000000.000100',
        createdAt: h.clock.now(),
        updatedAt: h.clock.now(),
      },
      update: { announcementChannel: CHANNEL, announcementTs: '1690000000.000100' },
    });
  });

  test('links the kickoff announcement, which stays the thread; the last call can be turned off', async () => {
    await tickAt([h], after(CUTOFF));
    const messages = channelMessages(h);
    expect(messages.map((m) => m.text.slice(0, 22))).toEqual(['Tagging train 302 now:']);
    expect(blocksText(messages[0])).toContain(
      `Tagging, CI and stage news: <https://slack.com/archives/${CHANNEL}/p1690000000000100|train 302's thread>.`,
    );
    expect(await h.bot.database.prisma.trainThread.findUnique({ where: { train: 302 } })).toBeNull();
  });
});
