/**
 * The Slack messenger: the only way features post. Every message is posted at
 * most once under its key (claimed in the message ledger first, see
 * message-ledger.ts): a retried job, a second replica or a restart never posts
 * it again. Slack saying no for a passing reason gives the claim back and
 * throws (the next attempt posts it); saying no for good is recorded as
 * failed and returned. A claim left by a process that died while Slack was
 * posting is never posted again.
 *
 * A channel the bot is not in (`not_in_channel`, `channel_not_found`) is
 * neither: the claim is given back (the next attempt posts the message once
 * the bot is invited), the admins and the release owner are told by DM how to
 * fix it (once per channel and day, see not-invited.ts), and the post throws
 * a `ChannelUnreachableError`.
 *
 * Also: updating a posted message in place, opening a DM, and telling
 * Slack's passing failures from permanent ones.
 */
import type { WebClient } from '@slack/web-api';
import type { SqlPort } from '../db/database';
import type { Logger } from '../logger';
import type { Block } from './blocks';
import { ChannelUnreachableError, UNREACHABLE_CHANNEL_ERRORS, unreachableNotice, unreachableNoticeKey } from './not-invited';
import {
  claimMessage,
  findMessage,
  listMessages,
  markFailed,
  markSent,
  releaseClaim,
  replaceTs,
  type MessageAbout,
  type MessageRecord,
} from './message-ledger';

export type { MessageAbout, MessageRecord, MessageStatus } from './message-ledger';

/** Where a message goes: a channel, or a user's DM with the bot. */
export type Recipient = { channel: string } | { user: string };

/** What a message says. */
export interface SlackMessage {
  text: string;
  blocks?: Block[];
}

export interface PostedMessage {
  channel: string;
  ts: string;
}

export type PostOutcome =
  | ({ outcome: 'posted' } & PostedMessage)
  /** Claimed before: sent, being sent (or left mid-post by a process that died), or failed for good. */
  | { outcome: 'already'; record: MessageRecord }
  | { outcome: 'failed'; error: string };

export interface PostOnceRequest {
  /** The message's key in the ledger: posted once per key, ever. */
  key: string;
  to: Recipient;
  message: SlackMessage;
  /** Post in this thread. */
  threadTs?: string;
  /** A thread reply also sent to the channel (Slack's `reply_broadcast`); ignored without `threadTs`. */
  broadcast?: boolean;
  now: Date;
  /** The last attempt: record every failure instead of leaving it for a retry. */
  giveUp?: boolean;
  /** The train and kind of message, to list them (`list`). */
  about?: MessageAbout;
}

export interface Messenger {
  /** Posts `message` unless a message with this key was claimed before. */
  postOnce(request: PostOnceRequest): Promise<PostOutcome>;
  /** Redraws a posted message. */
  update(request: { channel: string; ts: string; message: SlackMessage }): Promise<void>;
  /** Posts a sent message again (its Slack copy was deleted) and points its ledger row at the new one, unless someone else did already. */
  repost(request: { key: string; to: Recipient; message: SlackMessage; now: Date }): Promise<PostedMessage | undefined>;
  /** The ledger's record of a key. */
  find(key: string): Promise<MessageRecord | undefined>;
  /** A train's messages of one kind, in the order of their instants. */
  list(about: { train: number; kind: string }): Promise<MessageRecord[]>;
  /** Opens (or finds) the bot's DM channel with `userId` and returns its id. */
  openDm(userId: string): Promise<string>;
}

/** The error code of a Slack Web API answer `ok: false` (e.g. 'channel_not_found'), if that is what `error` is. */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** Slack answers worth trying again later; every other `ok: false` will fail the same way. */
const PASSING_SLACK_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/** Slack said no for good (e.g. 'user_not_found', 'cannot_dm_bot'): trying again would not help. */
export function isPermanentSlackError(error: unknown): boolean {
  const code = slackErrorCode(error);
  return code !== undefined && !PASSING_SLACK_ERRORS.has(code);
}

/** Opens (or finds) the bot's DM channel with `userId` (conversations.open, scope im:write) and returns its id. */
export async function openDm(client: WebClient, userId: string): Promise<string> {
  const opened = await client.conversations.open({ users: userId });
  const channel = opened.channel?.id;
  if (!channel) throw new Error(`Slack opened no DM channel with ${userId}`);
  return channel;
}

function recipientOf(to: Recipient): string {
  return 'user' in to ? to.user : to.channel;
}

/** A post to a channel (not a DM) that Slack refused because the bot cannot post there. */
function unreachableChannel(to: Recipient, error: unknown): { channel: string; code: string } | undefined {
  if ('user' in to || /^D/.test(to.channel)) return undefined;
  const code = slackErrorCode(error);
  return code !== undefined && UNREACHABLE_CHANNEL_ERRORS.has(code) ? { channel: to.channel, code } : undefined;
}

export function createMessenger(options: {
  client: WebClient;
  sql: SqlPort;
  /** Who is told (DM) when the bot cannot post in a channel: the admins and the release owner; where a failure to tell them is logged. */
  channelFixers?: { whoFixes: (now: Date) => Promise<string[]>; logger: Logger };
}): Messenger {
  const { client, sql } = options;

  async function post(to: Recipient, message: SlackMessage, threadTs?: string, broadcast?: boolean): Promise<PostedMessage> {
    const channel = 'user' in to ? await openDm(client, to.user) : to.channel;
    // A broadcast reply is a reply also sent to the channel (reply_broadcast only means something with thread_ts).
    const thread = threadTs ? (broadcast ? { thread_ts: threadTs, reply_broadcast: true } : { thread_ts: threadTs }) : {};
    const posted = await client.chat.postMessage({
      channel,
      text: message.text,
      ...(message.blocks && message.blocks.length > 0 ? { blocks: message.blocks } : {}),
      ...thread,
      unfurl_links: false,
    });
    return { channel: posted.channel ?? channel, ts: posted.ts ?? '' };
  }

  /** The DM saying how to invite the bot, once per channel, person and day; a failure to tell is logged, not thrown over the refusal. */
  async function tellWhoFixesChannels(channel: string, code: string, now: Date): Promise<void> {
    const fixers = options.channelFixers;
    if (!fixers) return;
    try {
      const people = [...new Set(await fixers.whoFixes(now))];
      for (const user of people) {
        await messenger.postOnce({
          key: unreachableNoticeKey(channel, user, now),
          to: { user },
          message: unreachableNotice(channel, code),
          now,
        });
      }
    } catch (error) {
      fixers.logger.warn({ err: error, channel }, 'could not tell the admins and the release owner that the bot is not in a channel');
    }
  }

  const messenger: Messenger = {
    async postOnce(request) {
      const { now } = request;
      const claim = await claimMessage(sql, {
        key: request.key,
        recipient: recipientOf(request.to),
        ...(request.about ? { about: request.about } : {}),
        now,
      });
      if (!claim.claimed) {
        const record = await findMessage(sql, request.key);
        // Released between our claim and this read: someone else's passing failure; the next attempt posts it.
        if (!record) throw new Error(`the claim of message ${request.key} was given back meanwhile; try again`);
        return { outcome: 'already', record };
      }
      let posted: PostedMessage;
      try {
        posted = await post(request.to, request.message, request.threadTs, request.broadcast);
      } catch (error) {
        const unreachable = unreachableChannel(request.to, error);
        if (unreachable) {
          // Not the message's fault, nor for good: posted on the next attempt once the bot is invited.
          await releaseClaim(sql, claim.id);
          await tellWhoFixesChannels(unreachable.channel, unreachable.code, now);
          throw new ChannelUnreachableError(unreachable.channel, unreachable.code, { cause: error });
        }
        if (request.giveUp || isPermanentSlackError(error)) {
          const text = slackErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
          await markFailed(sql, { id: claim.id, error: text, now });
          return { outcome: 'failed', error: text };
        }
        await releaseClaim(sql, claim.id);
        throw error;
      }
      // Posted: from here on the claim is never released, so nothing posts it again.
      await markSent(sql, { id: claim.id, channel: posted.channel, ts: posted.ts, now });
      return { outcome: 'posted', ...posted };
    },

    async update(request) {
      await client.chat.update({
        channel: request.channel,
        ts: request.ts,
        text: request.message.text,
        ...(request.message.blocks ? { blocks: request.message.blocks } : {}),
      });
    },

    async repost(request) {
      const record = await findMessage(sql, request.key);
      if (record?.status !== 'sent' || !record.ts) return undefined;
      const posted = await post(request.to, request.message);
      if (posted.ts) await replaceTs(sql, { id: record.id, oldTs: record.ts, channel: posted.channel, ts: posted.ts, now: request.now });
      return posted;
    },

    find: (key) => findMessage(sql, key),
    list: (about) => listMessages(sql, about),
    openDm: (userId) => openDm(client, userId),
  };
  return messenger;
}
