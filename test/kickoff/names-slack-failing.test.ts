/**
 * A name only decorates a message: Slack failing users.info (HTTP 500, or
 * ratelimited with a long Retry-After) while someone hands a train on, or asks
 * `/release rotation show`, leaves the person mentioned (or, in a list, their
 * roster name or id) and everything else done: the train has its new owner and its
 * new announcement, nothing is lost.
 */
import type { FakeSlackMessage } from '../fakes/slack-server';
import type { Harness } from '../support/harness';
import { at, startKickoffScene } from './scene';
import { ALICE, BOB, CAROL, CHANNEL } from '../support/team';
import { ask, press, settle, textOf } from '../tagging/helpers';

describe('names while Slack fails users.info', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startKickoffScene();
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
