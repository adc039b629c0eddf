/**
 * A name only decorates a message: Slack failing users.info (HTTP 500, or
 * ratelimited with a long Retry-After) while someone hands a train on, or asks
 * `/release rotation show`, leaves the person mentioned (or, in a list, their
 * roster name or id) and everything else done: the train has its new owner and its
 * new announcement, nothing is lost.
 */
import { createTrainCalendar } from '../../src/train/calendar';
import type { FakeSlackMessage } from '../fakes/slack-server';
import { startHarness, type Harness } from '../support/harness';
import { ADMIN, ALICE, BOB, CAROL, CHANNEL, importTeam, TEAM_SETTINGS } from '../support/team';
import { ask, press, settle, textOf } from '../tagging/helpers';

const calendar = createTrainCalendar({ anchor: { train: 301, cutDate: '2026-10-21' } });
const KICKOFF = calendar.getTrain(303).kickoff;
const MINUTE = 60_000;
const at = (minutes: number) => new Date(KICKOFF.getTime() + minutes * MINUTE);

describe('names while Slack fails users.info', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ settings: TEAM_SETTINGS, now: at(-1).toISOString() });
    await importTeam(h, {
      people: { [ALICE]: 'alice', [BOB]: 'bob', [CAROL]: 'carol', [ADMIN]: 'admin' },
      rotation: [ALICE, BOB, CAROL],
      startTrain: 303,
      actor: ADMIN,
    });
  });
  afterEach(() => {
    h.slack.clearFaults();
  });
  afterAll(async () => {
    await h.close();
  });
  const announcements = () => h.slack.messagesIn(CHANNEL).filter((m) => !m.thread_ts && /kicks off/.test(m.text ?? ''));

  test('Alice hands train 303 on while users.info answers HTTP 500: Bob owns it and is announced, Alice is mentioned', async () => {
    h.clock.set(at(1));
    await h.bot.app.scheduler.tick(at(1));
    const [first] = announcements();
    if (!first) throw new Error('no announcement');
    h.clock.set(at(30));
    h.slack.failNext('users.info', { httpStatus: 500 }, { times: 100 });
    const reply = textOf(await press(h, ALICE, 'kickoff_decline', '303', first as FakeSlackMessage));
    await settle(h);
    expect(reply).toContain(`<@${ALICE}> can't take train 303; it was announced again below.`);
    const again = announcements()[1];
    expect(again?.text).toContain(`Release owner: <@${BOB}>`);
    expect(textOf(again as FakeSlackMessage)).toContain(`<@${ALICE}> can't take it, so the rotation picked the next person.`);
    const [owner] = await h.bot.database.sql.query<{ slackUserId: string }>(
      `SELECT "slackUserId" FROM train_assignments WHERE train = 303`,
    );
    expect(owner?.slackUserId).toBe(BOB);
  });

  test('`/release rotation show` while users.info is ratelimited (Retry-After 3 s, every try): answered at once, who handed on is still listed', async () => {
    h.slack.failNext('users.info', { rateLimited: { retryAfterSeconds: 3 } }, { times: 20 });
    const asked = h.slack.callsTo('users.info').length;
    const shown = await ask(h, CAROL, 'rotation show');
    // Answered without waiting for Slack's Retry-After: the one ratelimited look-up of Alice was not retried yet.
    expect(h.slack.callsTo('users.info').length - asked).toBe(1);
    // Slack not answering and the roster recording no name: the id, not a mention (nobody is pinged by a list).
    expect(shown).toContain(`*Handed on train 303*: @${ALICE}`);
    expect(shown).toContain(`*Train 303* (now): <@${BOB}>`);
  });
});
