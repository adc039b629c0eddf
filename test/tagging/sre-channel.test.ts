/**
 * The SRE hand-off to a channel (issue 15 item 6): with `sreContact` set to a
 * channel (not a user group), the train's special steps are posted there, not
 * in the team channel and with no group mention, at the cutoff and again when
 * the tag the bot itself cut exists; each once, with the link to the notes.
 */
import { succeedTagRun, theTagRun } from '../fakes/tag-release-workflow';
import { startHarness, type Harness } from '../support/harness';
import { ADMIN, ALICE, arrangeTeam, ask, BOB, CHANNEL, cutOf, cutTrain, MINUTE, SETTINGS, settle, tick } from './helpers';

jest.setTimeout(120_000);

const SRE_CHANNEL = 'C0SRE0001';
/** Wed 18 Nov 2026, 10:00 PT: train 303's cutoff. */
const CUTOFF = new Date('2026-11-18T18:00:00Z');

describe('SRE contact as a channel', () => {
  let h: Harness;
  const sreMessages = () => h.slack.messagesIn(SRE_CHANNEL).filter((m) => m.text.includes('special step'));
  const teamMessagesForSre = () => h.slack.messagesIn(CHANNEL).filter((m) => m.text.includes('for SRE ('));

  beforeAll(async () => {
    h = await startHarness({ settings: { ...SETTINGS, sreContact: SRE_CHANNEL }, now: '2026-11-18T17:00:00Z' });
    await arrangeTeam(h);
    h.slack.addChannel({ id: SRE_CHANNEL, name: 'fxa-sre' });
    h.slack.inviteBot(SRE_CHANNEL);
    await ask(h, BOB, 'notes sre Run the auth-server migration before the deploy');
    await ask(h, BOB, 'notes add The new mailer is behind a flag');
  });
  afterAll(async () => {
    await h.close();
  });

  test('at the cutoff the special steps go to the SRE channel, once, linking the cutoff message', async () => {
    h.clock.set(new Date(CUTOFF.getTime() + MINUTE));
    await h.bot.app.scheduler.tick(h.clock.now());
    await tick(h, 5);
    const cutoff = h.slack.messagesIn(CHANNEL).find((m) => !m.thread_ts && m.text.startsWith('Tagging train 303'));
    expect(cutoff).toBeDefined();
    expect(sreMessages().map((m) => m.text)).toEqual(['Train 303: 1 special step for SRE (cut).']);
    const text = JSON.stringify(sreMessages()[0]?.blocks);
    expect(text).toContain(':rotating_light: *Train 303* was cut at Wed 18 Nov, 10:00 PT / 13:00 ET / 18:00 UTC and is being tagged now.');
    expect(text).toContain('Run the auth-server migration before the deploy');
    expect(text).not.toContain('The new mailer');
    expect(text).not.toContain('<!subteam');
    expect(text).toContain(`<https://slack.com/archives/${CHANNEL}/p${cutoff?.ts.replace('.', '')}|the cutoff message>`);
    // Not in the team channel (SRE's own channel has it).
    expect(teamMessagesForSre()).toEqual([]);
  });

  test('when the tag the bot cut exists, the SRE channel hears again, once', async () => {
    await cutTrain(h, ALICE);
    succeedTagRun(h.github, theTagRun(h.github));
    for (let i = 0; i < 4; i++) await tick(h, 5);
    await settle(h);
    expect(await cutOf(h)).toMatchObject({ tag: 'v1.303.0' });
    expect(sreMessages().map((m) => m.text)).toEqual([
      'Train 303: 1 special step for SRE (cut).',
      'Train 303: 1 special step for SRE (tagged).',
    ]);
    const text = JSON.stringify(sreMessages()[1]?.blocks);
    expect(text).toContain(':rotating_light: *Train 303* is tagged; it heads for stage.');
    expect(text).toContain('Run the auth-server migration before the deploy');
    expect(text).not.toContain('<!subteam');
    expect(teamMessagesForSre()).toEqual([]);
  });
});

describe('SRE channel the bot was not invited to', () => {
  let h: Harness;
  const sreMessages = () => h.slack.messagesIn(SRE_CHANNEL).filter((m) => m.text.includes('special step'));

  beforeAll(async () => {
    h = await startHarness({ settings: { ...SETTINGS, sreContact: SRE_CHANNEL }, now: '2026-11-17T17:00:00Z' });
    await arrangeTeam(h);
    h.slack.addChannel({ id: SRE_CHANNEL, name: 'fxa-sre', botIsMember: false });
    h.github.addPullRequest({ title: 'Rate limits', authorLogin: 'dave-gh' });
    await ask(h, BOB, 'notes sre Run the auth-server migration before the deploy');
  });
  afterAll(async () => {
    await h.close();
  });

  test('the cut goes on: the owner’s summary says cut; the admins and the owner are told to invite the bot; once invited, SRE hears', async () => {
    // The check-in and a sweep give Alice her summary; then the cutoff.
    for (const instant of [new Date(CUTOFF.getTime() - 24 * 60 * MINUTE), new Date(CUTOFF.getTime() - 60 * MINUTE), CUTOFF]) {
      h.clock.set(new Date(instant.getTime() + MINUTE));
      await h.bot.app.scheduler.tick(h.clock.now());
    }
    await settle(h);
    expect(h.slack.messagesIn(CHANNEL).filter((m) => !m.thread_ts && m.text.startsWith('Tagging train 303'))).toHaveLength(1);
    expect(sreMessages()).toEqual([]);
    // The admins and the owner of the train in progress (Bob's 304, after the cutoff) are told how to fix it, once.
    for (const person of [ADMIN, BOB]) {
      const told = h.slack.messagesIn(h.slack.dmChannelFor(person)).filter((m) => m.text.includes(`I could not post in <#${SRE_CHANNEL}>`));
      expect(told).toHaveLength(1);
    }
    const summary = h.slack.messagesIn(h.slack.dmChannelFor(ALICE)).find((m) => JSON.stringify(m.blocks).includes('Rate limits'));
    expect(JSON.stringify(summary?.blocks)).toContain('*Cut* at');
    expect(await h.bot.database.prisma.auditEvent.count({ where: { action: 'reminders.cutoff' } })).toBe(1);
    // Someone invites the bot; the next attempt (within the grace period) posts the hand-off, once.
    h.slack.inviteBot(SRE_CHANNEL);
    await tick(h, 5);
    await tick(h, 5);
    expect(sreMessages().map((m) => m.text)).toEqual(['Train 303: 1 special step for SRE (cut).']);
  });
});
