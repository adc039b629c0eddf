/**
 * The messenger against the fake Slack and real PostgreSQL: each key is posted
 * at most once; Slack's passing failures give the claim back and throw, its
 * permanent ones are recorded. A claim left mid-post: test/slack/messenger-mid-post.test.ts.
 */
import { WebClient } from '@slack/web-api';
import { ChannelUnreachableError } from '../../src/slack/not-invited';
import { createMessenger, isPermanentSlackError, slackErrorCode, type Messenger } from '../../src/slack/messenger';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { silentLogger } from '../slack-fakes/silent-logger';
import { openTestDatabase, silentLogger as silentAppLogger, type TestDatabase } from '../support/database';

const CHANNEL = 'C0TEAM001';
const ALICE = 'U0ALICE01';
const ADMIN = 'U0ADMIN01';
const OTHER = 'C0OTHER01';
const now = new Date('2026-11-04T16:00:00Z');

describe('the Slack messenger', () => {
  let database: TestDatabase;
  let slack: FakeSlack;
  let messenger: Messenger;
  beforeAll(async () => {
    database = await openTestDatabase();
    slack = await startFakeSlack();
    slack.addUser({ id: ALICE, name: 'alice' });
    slack.addUser({ id: ADMIN, name: 'admin' });
    slack.addChannel({ id: CHANNEL, name: 'fxa-team' });
    slack.addChannel({ id: OTHER, name: 'fxa-other', botIsMember: false });
    const client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logger: silentLogger() });
    messenger = createMessenger({
      client,
      sql: database.db.sql,
      // The admin and the release owner (ALICE), with a duplicate: each is told once.
      channelFixers: { whoFixes: async () => [ADMIN, ALICE, ADMIN], logger: silentAppLogger },
    });
  });
  afterAll(async () => {
    await slack.close();
    await database.drop();
  });

  test('posts a key once, however often it is asked to, and lists it with its train and kind', async () => {
    const first = await messenger.postOnce({
      key: 'test:once',
      about: { train: 302, kind: 'test' },
      to: { channel: CHANNEL },
      message: { text: 'hello' },
      now,
    });
    expect(first).toEqual({ outcome: 'posted', channel: CHANNEL, ts: expect.any(String) });
    const again = await messenger.postOnce({ key: 'test:once', to: { channel: CHANNEL }, message: { text: 'hello' }, now });
    expect(again).toEqual({ outcome: 'already', record: expect.objectContaining({ key: 'test:once', status: 'sent', channel: CHANNEL }) });
    expect(slack.messagesIn(CHANNEL).filter((m) => m.text === 'hello')).toHaveLength(1);
    expect((await messenger.list({ train: 302, kind: 'test' })).map((m) => m.key)).toEqual(['test:once']);
  });

  test('a DM goes to the user’s DM channel, a reply in its thread', async () => {
    const dm = await messenger.postOnce({ key: 'test:dm', to: { user: ALICE }, message: { text: 'psst' }, now });
    expect(dm).toEqual({ outcome: 'posted', channel: await messenger.openDm(ALICE), ts: expect.any(String) });
    if (dm.outcome !== 'posted') throw new Error('not posted');
    await messenger.postOnce({ key: 'test:reply', to: { channel: dm.channel }, threadTs: dm.ts, message: { text: 'in the thread' }, now });
    expect(slack.messagesIn(dm.channel, { threadTs: dm.ts }).map((m) => m.text)).toContain('in the thread');
  });

  test('a passing failure gives the claim back and throws: the next attempt posts it', async () => {
    slack.failNext('chat.postMessage', { error: 'internal_error' });
    const failed = await messenger
      .postOnce({ key: 'test:passing', to: { channel: CHANNEL }, message: { text: 'later' }, now })
      .catch((error: unknown) => error);
    expect(slackErrorCode(failed)).toBe('internal_error');
    expect(isPermanentSlackError(failed)).toBe(false);
    expect(await messenger.find('test:passing')).toBeUndefined();
    await expect(
      messenger.postOnce({ key: 'test:passing', to: { channel: CHANNEL }, message: { text: 'later' }, now }),
    ).resolves.toMatchObject({ outcome: 'posted' });
  });

  test('a permanent failure, or any failure on the last attempt, is recorded and never tried again', async () => {
    slack.failNext('conversations.open', { error: 'cannot_dm_bot' });
    await expect(messenger.postOnce({ key: 'test:permanent', to: { user: ALICE }, message: { text: 'no' }, now })).resolves.toEqual({
      outcome: 'failed',
      error: 'cannot_dm_bot',
    });
    slack.failNext('chat.postMessage', { error: 'internal_error' });
    await expect(
      messenger.postOnce({ key: 'test:give-up', to: { channel: CHANNEL }, message: { text: 'no' }, now, giveUp: true }),
    ).resolves.toEqual({
      outcome: 'failed',
      error: 'internal_error',
    });
    await expect(messenger.postOnce({ key: 'test:permanent', to: { user: ALICE }, message: { text: 'no' }, now })).resolves.toMatchObject({
      outcome: 'already',
      record: { status: 'failed', error: 'cannot_dm_bot' },
    });
  });

  test('updates a posted message, and posts a deleted one again under the same key', async () => {
    const posted = await messenger.postOnce({ key: 'test:summary', to: { user: ALICE }, message: { text: 'v1' }, now });
    if (posted.outcome !== 'posted') throw new Error('not posted');
    await messenger.update({ channel: posted.channel, ts: posted.ts, message: { text: 'v2' } });
    expect(slack.messagesIn(posted.channel).find((m) => m.ts === posted.ts)?.text).toBe('v2');
    const reposted = await messenger.repost({ key: 'test:summary', to: { user: ALICE }, message: { text: 'v3' }, now });
    expect(reposted?.ts).not.toBe(posted.ts);
    expect(await messenger.find('test:summary')).toMatchObject({ status: 'sent', ts: reposted?.ts });
  });

  test('a channel the bot is not in: the claim is given back, the admin and owner are told once a day, and the post goes out once invited', async () => {
    const post = (when: Date) =>
      messenger.postOnce({ key: 'test:not-invited', to: { channel: OTHER }, message: { text: 'check-in' }, now: when, giveUp: true });
    const first = await post(now).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(ChannelUnreachableError);
    expect(first).toMatchObject({ channel: OTHER, code: 'not_in_channel' });
    // Not failed for good, even on a last attempt: nothing is recorded.
    expect(await messenger.find('test:not-invited')).toBeUndefined();
    // A second refusal the same day tells nobody again.
    await expect(post(new Date(now.getTime() + 5 * 60_000))).rejects.toBeInstanceOf(ChannelUnreachableError);
    for (const user of [ADMIN, ALICE]) {
      const notices = slack.messagesIn(slack.dmChannelFor(user)).filter((m) => m.text.includes('/invite @release-conductor'));
      expect(notices.map((m) => m.text)).toEqual([
        `:warning: I could not post in <#${OTHER}>. I am not a member of <#${OTHER}>. To fix it, type \`/invite @release-conductor\` in <#${OTHER}>. ` +
          'What I could not post stays queued: I post it on my next attempt once I am in the channel.',
      ]);
    }
    slack.inviteBot(OTHER);
    await expect(post(new Date(now.getTime() + 10 * 60_000))).resolves.toMatchObject({ outcome: 'posted', channel: OTHER });
    expect(slack.messagesIn(OTHER).map((m) => m.text)).toEqual(['check-in']);
  });

  test('channel_not_found (a private channel without the bot, or a wrong id) is said the same way; a DM is not a channel to invite to', async () => {
    const failed = await messenger
      .postOnce({ key: 'test:no-such-channel', to: { channel: 'C0NOSUCH01' }, message: { text: 'x' }, now })
      .catch((error: unknown) => error);
    expect(failed).toMatchObject({ channel: 'C0NOSUCH01', code: 'channel_not_found' });
    expect(slack.messagesIn(slack.dmChannelFor(ADMIN)).some((m) => m.text.includes('`channel_not_found`'))).toBe(true);
    // A DM that Slack refuses is an ordinary permanent failure.
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    await expect(messenger.postOnce({ key: 'test:dm-gone', to: { user: ALICE }, message: { text: 'x' }, now })).resolves.toEqual({
      outcome: 'failed',
      error: 'channel_not_found',
    });
  });
});
