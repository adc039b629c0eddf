/**
 * Issue 13: a post interrupted mid-way (its process died before Slack
 * answered) is exactly once in effect. The next attempt of the same key, once
 * the poster is gone, looks for the message in the conversation by the key in
 * its metadata (conversations.history, page by page; .replies in a thread)
 * and adopts it, or posts it if it never reached Slack. A live poster is
 * never overtaken, and a conversation the bot cannot read leaves the claim
 * unconfirmed (at most once, as before). Real PostgreSQL, the fake Slack.
 */
import { WebClient } from '@slack/web-api';
import { createMessenger, type Messenger, POST_EVENT_TYPE } from '../../src/slack/messenger';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { silentLogger } from '../slack-fakes/silent-logger';
import { openTestDatabase, silentLogger as silentAppLogger, type TestDatabase } from '../support/database';

const CHANNEL = 'C0MIDPOST1';
const ALICE = 'U0MIDALICE';
const now = new Date('2026-11-04T16:00:00Z');

describe('a post left mid-way by a process that died', () => {
  let database: TestDatabase;
  let slack: FakeSlack;
  let client: WebClient;
  let messenger: Messenger;
  beforeAll(async () => {
    database = await openTestDatabase();
    slack = await startFakeSlack();
    slack.addUser({ id: ALICE, name: 'alice' });
    slack.addChannel({ id: CHANNEL, name: 'fxa-team' });
    client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logger: silentLogger() });
    messenger = createMessenger({ client, sql: database.db.sql, logger: silentAppLogger });
  });
  afterAll(async () => {
    await slack.close();
    await database.drop();
  });

  /** What the dead process left: its claim "sending" (claimed a minute before `now`), no lock held. */
  const leftSending = (key: string, recipient: string) =>
    database.db.prisma.slackMessage.create({
      data: { key, recipient, status: 'sending', createdAt: new Date(now.getTime() - 60_000), updatedAt: new Date(now.getTime() - 60_000) },
    });
  /** The dead process's post, as it reached Slack (Slack answered it after the process was gone). */
  const reachedSlack = async (key: string, channel: string, text: string, threadTs?: string) =>
    (
      await client.chat.postMessage({
        channel,
        text,
        metadata: { event_type: POST_EVENT_TYPE, event_payload: { key } },
        ...(threadTs ? { thread_ts: threadTs } : {}),
      })
    ).ts as string;

  test('it reached Slack, 250 messages ago: it is found (second page of the history) and adopted, not posted again', async () => {
    await leftSending('mid:reached', CHANNEL);
    const ts = await reachedSlack('mid:reached', CHANNEL, 'the announcement');
    for (let i = 0; i < 250; i += 1) await client.chat.postMessage({ channel: CHANNEL, text: `chatter ${i}` });
    const outcome = await messenger.postOnce({ key: 'mid:reached', to: { channel: CHANNEL }, message: { text: 'the announcement' }, now });
    expect(outcome).toEqual({ outcome: 'posted', adopted: true, channel: CHANNEL, ts });
    expect(slack.messagesIn(CHANNEL).filter((m) => m.text === 'the announcement')).toHaveLength(1);
    // The history was read page by page, with the metadata asked for.
    const reads = slack.callsTo('conversations.history');
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads.every((call) => call.args.include_all_metadata === 'true' || call.args.include_all_metadata === true)).toBe(true);
    await expect(messenger.find('mid:reached')).resolves.toMatchObject({ status: 'sent', channel: CHANNEL, ts });
  });

  test('a DM that reached Slack is found in the DM and adopted', async () => {
    await leftSending('mid:dm', ALICE);
    const ts = await reachedSlack('mid:dm', slack.dmChannelFor(ALICE), 'will your PRs land?');
    const outcome = await messenger.postOnce({ key: 'mid:dm', to: { user: ALICE }, message: { text: 'will your PRs land?' }, now });
    expect(outcome).toMatchObject({ outcome: 'posted', adopted: true, ts });
    expect(slack.messagesIn(slack.dmChannelFor(ALICE)).filter((m) => m.text === 'will your PRs land?')).toHaveLength(1);
  });

  test('a reply in a thread is looked for in the thread', async () => {
    const parent = (await client.chat.postMessage({ channel: CHANNEL, text: 'Train 302' })).ts as string;
    await leftSending('mid:thread', CHANNEL);
    const ts = await reachedSlack('mid:thread', CHANNEL, 'the tag is pushed', parent);
    const outcome = await messenger.postOnce({
      key: 'mid:thread',
      to: { channel: CHANNEL },
      threadTs: parent,
      message: { text: 'the tag is pushed' },
      now,
    });
    expect(outcome).toMatchObject({ outcome: 'posted', adopted: true, ts });
    expect(slack.messagesIn(CHANNEL, { threadTs: parent }).filter((m) => m.text === 'the tag is pushed')).toHaveLength(1);
  });

  test('it never reached Slack: it is posted now, once, with its key in its metadata', async () => {
    await leftSending('mid:lost', CHANNEL);
    const outcome = await messenger.postOnce({ key: 'mid:lost', to: { channel: CHANNEL }, message: { text: 'the lost one' }, now });
    expect(outcome).toMatchObject({ outcome: 'posted', channel: CHANNEL });
    expect(outcome).not.toHaveProperty('adopted');
    await expect(
      messenger.postOnce({ key: 'mid:lost', to: { channel: CHANNEL }, message: { text: 'the lost one' }, now }),
    ).resolves.toMatchObject({ outcome: 'already', record: { status: 'sent' } });
    const posted = slack.messagesIn(CHANNEL).filter((m) => m.text === 'the lost one');
    expect(posted.map((m) => m.metadata)).toEqual([{ event_type: POST_EVENT_TYPE, event_payload: { key: 'mid:lost' } }]);
  });

  test('a live poster is not overtaken: a second attempt while Slack is slow waits for it, and posts nothing', async () => {
    slack.failNext('chat.postMessage', { delayMs: 800 });
    const first = messenger.postOnce({ key: 'mid:slow', to: { channel: CHANNEL }, message: { text: 'the slow one' }, now });
    await slack.waitForCalls('chat.postMessage', 1 + slack.callsTo('chat.postMessage').length - 1);
    const second = messenger.postOnce({ key: 'mid:slow', to: { channel: CHANNEL }, message: { text: 'the slow one' }, now });
    await expect(first).resolves.toMatchObject({ outcome: 'posted' });
    await expect(second).resolves.toMatchObject({ outcome: 'already', record: { status: 'sent' } });
    expect(slack.messagesIn(CHANNEL).filter((m) => m.text === 'the slow one')).toHaveLength(1);
  });

  test('a conversation the bot cannot read (missing_scope): unconfirmed, not posted again', async () => {
    await leftSending('mid:unreadable', CHANNEL);
    slack.failNext('conversations.history', { error: 'missing_scope' });
    await expect(
      messenger.postOnce({ key: 'mid:unreadable', to: { channel: CHANNEL }, message: { text: 'unreadable' }, now }),
    ).resolves.toMatchObject({ outcome: 'already', record: { status: 'sending', ts: null } });
    expect(slack.messagesIn(CHANNEL).filter((m) => m.text === 'unreadable')).toHaveLength(0);
  });

  test('Slack failing for a passing reason while looking: throws, and the next attempt looks again', async () => {
    await leftSending('mid:passing', CHANNEL);
    slack.failNext('conversations.history', { error: 'internal_error' });
    await expect(messenger.postOnce({ key: 'mid:passing', to: { channel: CHANNEL }, message: { text: 'passing' }, now })).rejects.toThrow(
      /internal_error/,
    );
    await expect(
      messenger.postOnce({ key: 'mid:passing', to: { channel: CHANNEL }, message: { text: 'passing' }, now }),
    ).resolves.toMatchObject({ outcome: 'posted' });
    expect(slack.messagesIn(CHANNEL).filter((m) => m.text === 'passing')).toHaveLength(1);
  });
});
