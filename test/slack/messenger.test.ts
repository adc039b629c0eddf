/**
 * The messenger against the fake Slack and real PostgreSQL: each key is posted
 * at most once; Slack's passing failures give the claim back and throw, its
 * permanent ones are recorded; a claim left mid-post is never posted again.
 */
import { WebClient } from '@slack/web-api';
import { createMessenger, isPermanentSlackError, slackErrorCode, type Messenger } from '../../src/slack/messenger';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { silentLogger } from '../slack-fakes/silent-logger';
import { openTestDatabase, type TestDatabase } from '../support/database';

const CHANNEL = 'C0TEAM001';
const ALICE = 'U0ALICE01';
const now = new Date('2026-11-04T16:00:00Z');

describe('the Slack messenger', () => {
  let database: TestDatabase;
  let slack: FakeSlack;
  let messenger: Messenger;
  beforeAll(async () => {
    database = await openTestDatabase();
    slack = await startFakeSlack();
    slack.addUser({ id: ALICE, name: 'alice' });
    const client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logger: silentLogger() });
    messenger = createMessenger({ client, sql: database.db.sql });
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

  test('a claim left by a process that died mid-post is never posted again', async () => {
    await database.db.prisma.slackMessage.create({
      data: { key: 'test:died', recipient: CHANNEL, status: 'sending', createdAt: now, updatedAt: now },
    });
    await expect(
      messenger.postOnce({ key: 'test:died', to: { channel: CHANNEL }, message: { text: 'ghost' }, now }),
    ).resolves.toMatchObject({
      outcome: 'already',
      record: { status: 'sending', ts: null },
    });
    expect(slack.messagesIn(CHANNEL).filter((m) => m.text === 'ghost')).toHaveLength(0);
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
});
