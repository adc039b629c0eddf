/**
 * "Not invited, said clearly" (issue 12): the bot taken out of the announcement
 * channel tells the admins and the release owner once how to invite it, posts
 * nothing twice, posts what was waiting once it is back, and `/readyz` says the
 * channel is unreachable meanwhile (200 with a warning: see README, "Readiness").
 */
import { createTrainCalendar } from '../../src/train/calendar';
import { startFakeSlack } from '../fakes/slack-server';
import { startHarness, type Harness } from '../support/harness';
import { ADMIN, ALICE, BOB, CHANNEL, importTeam, TEAM_SETTINGS } from '../support/team';

const calendar = createTrainCalendar({ anchor: { train: 301, cutDate: '2026-10-21' } });
const MINUTE = 60_000;
const kickoff = calendar.getTrain(303).kickoff;
const at = (minutes: number): Date => new Date(kickoff.getTime() + minutes * MINUTE);

const invitesTo = (h: Harness, user: string) =>
  h.slack.messagesIn(h.slack.dmChannelFor(user)).filter((m) => m.text.includes('/invite @release-conductor'));
const kickoffs = (h: Harness) => h.slack.messagesIn(CHANNEL).filter((m) => !m.thread_ts && /Train 303 kicks off/.test(m.text));

async function readyz(h: Harness): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${h.bot.url}/readyz`);
  return { status: response.status, body: await response.json() };
}

describe('the bot not in the announcement channel', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ settings: TEAM_SETTINGS, now: at(-60).toISOString() });
    await importTeam(h, {
      people: { [ALICE]: 'alice', [BOB]: 'bob', [ADMIN]: 'admin' },
      rotation: [ALICE, BOB],
      startTrain: 303,
      actor: ADMIN,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  test('readiness: ready, with no warning, while the bot is in the channel', async () => {
    await h.bot.channelCheck.check();
    expect(await readyz(h)).toEqual({ status: 200, body: { status: 'ready' } });
  });

  test('the kickoff fails with not_in_channel: the admin and the owner are told once, nothing is posted twice, and it goes out once invited', async () => {
    h.slack.removeBotFrom(CHANNEL);
    await h.bot.channelCheck.check();
    expect(await readyz(h)).toEqual({
      status: 200,
      body: {
        status: 'ready',
        warnings: [`announcement channel ${CHANNEL} is unreachable: the bot is not in it (/invite @release-conductor in it)`],
      },
    });

    for (const minutes of [1, 7, 13]) {
      h.clock.set(at(minutes));
      const report = await h.bot.app.scheduler.tick(at(minutes));
      expect(report.failed.map((f) => [f.job, f.error])).toEqual([
        ['kickoff-announcement', expect.stringContaining(`Slack refused a post in ${CHANNEL} (not_in_channel)`)],
      ]);
    }
    const refused = h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === CHANNEL);
    expect(refused.map((c) => c.response?.body.error)).toEqual(['not_in_channel', 'not_in_channel', 'not_in_channel']);
    // Three refusals, one DM each to the admin and to the release owner (the same day).
    for (const user of [ADMIN, ALICE]) {
      expect(invitesTo(h, user).map((m) => m.text)).toEqual([
        `:warning: I could not post in <#${CHANNEL}>. I am not a member of <#${CHANNEL}>. To fix it, type \`/invite @release-conductor\` in <#${CHANNEL}>. ` +
          'What I could not post stays queued: I post it on my next attempt once I am in the channel.',
      ]);
    }
    expect(invitesTo(h, BOB)).toEqual([]);
    // Not recorded as failed for good: the ledger holds no row for the kickoff.
    const rows = await h.bot.database.sql.query<{ key: string }>(`SELECT "key" FROM "slack_messages" WHERE "kind" = 'kickoff'`);
    expect(rows).toEqual([]);

    h.slack.inviteBot(CHANNEL);
    h.clock.set(at(19));
    const report = await h.bot.app.scheduler.tick(at(19));
    expect(report.failed).toEqual([]);
    expect(kickoffs(h)).toHaveLength(1);
    // Later ticks post nothing again, and nobody is told again.
    h.clock.set(at(25));
    await h.bot.app.scheduler.tick(at(25));
    expect(kickoffs(h)).toHaveLength(1);
    expect(invitesTo(h, ADMIN)).toHaveLength(1);

    await h.bot.channelCheck.check();
    expect(await readyz(h)).toEqual({ status: 200, body: { status: 'ready' } });
  });
});

describe('readiness when the announcement channel is given by name, or does not exist', () => {
  test('#name is found with conversations.list; an unknown channel is reported as not found', async () => {
    const byName = await startHarness();
    try {
      await byName.bot.channelCheck.check();
      expect(await readyz(byName)).toEqual({ status: 200, body: { status: 'ready' } });
      byName.slack.removeBotFrom('#fxa-team');
      await byName.bot.channelCheck.check();
      expect(await readyz(byName)).toMatchObject({
        status: 200,
        body: { warnings: ['announcement channel #fxa-team is unreachable: the bot is not in it (/invite @release-conductor in it)'] },
      });
    } finally {
      await byName.close();
    }
    const slack = await startFakeSlack();
    const unknown = await startHarness({ slack, settings: { announcementChannel: '#fxa-team' } });
    try {
      // The harness created #fxa-team on this fake; a channel Slack does not show the bot (private, without it) is not found.
      slack.addChannel({ id: 'C0FXATEAM0', name: 'fxa-team', isPrivate: true, botIsMember: false });
      await unknown.bot.channelCheck.check();
      expect(await readyz(unknown)).toMatchObject({
        status: 200,
        body: {
          warnings: [
            'announcement channel #fxa-team not found: it does not exist, or it is private and the bot was not added (/invite @release-conductor in it)',
          ],
        },
      });
    } finally {
      await unknown.close();
      await slack.close();
    }
  });
});
