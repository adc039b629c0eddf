/**
 * The Slack messenger: the only way features post. Every message is posted at
 * most once under its key (claimed in the message ledger first, see
 * message-ledger.ts): a retried job, a second replica or a restart never posts
 * it again. Slack saying no for a passing reason gives the claim back and
 * throws (the next attempt posts it); saying no for good is recorded as
 * failed and returned.
 *
 * Exactly once in effect, also when a process dies while Slack posts: every
 * post carries its ledger key in Slack message metadata, and is made holding
 * the key's advisory lock (db/locks.ts, `messagePost`) from the claim to its
 * outcome. Whoever then finds the claim still "sending" while holding that
 * lock knows its poster is gone (a live one would hold it; PostgreSQL lets
 * go of a dead process's locks as soon as its connection closes), looks for
 * the message in the conversation (`conversations.history`, or `.replies`
 * in a thread: its last 2,000 messages, page by page) and adopts it, or
 * posts it if it never reached Slack. When the conversation cannot be read
 * (a missing scope, too many messages since), the claim stays unconfirmed:
 * at most once, as before.
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
import { createHash } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { SqlPort, SqlSession } from '../db/database';
import { withAdvisoryLock } from '../db/locks';
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
  /** Posted now, or `adopted`: found in the conversation, posted by an attempt that died before Slack answered it. */
  | ({ outcome: 'posted'; adopted?: true } & PostedMessage)
  /** Claimed before: sent, failed for good, or left mid-post by a process that died where the conversation could not be read. */
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

/** The metadata event type of every post: its `event_payload.key` is the message's ledger key. */
export const POST_EVENT_TYPE = 'release_conductor_post';
/** Messages per page of conversation history (Slack allows up to 999; it recommends no more than 200). */
const HISTORY_PAGE = 200;
/**
 * Pages looked through, newest first, for a message left mid-post: the last 2,000 messages of the conversation (a
 * retry comes minutes after the crash; a DM or the team channel rarely gets that many meanwhile). Not bounded by the
 * claim's time: Slack's clock is not ours (nor the fake's, in the tests).
 */
const MAX_HISTORY_PAGES = 10;

/** The advisory lock id (int4) of a message key. */
function lockIdOf(key: string): number {
  return createHash('sha256').update(key).digest().readInt32BE(0);
}

/** The ledger key in a post's metadata payload, if any. */
function keyIn(payload: { key?: unknown } | undefined): unknown {
  return payload?.key;
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
  /** Where a message that stays unconfirmed is logged (default: channelFixers' logger). */
  logger?: Logger;
}): Messenger {
  const { client, sql } = options;
  const logger = options.logger ?? options.channelFixers?.logger;

  async function post(key: string, to: Recipient, message: SlackMessage, threadTs?: string, broadcast?: boolean): Promise<PostedMessage> {
    const channel = 'user' in to ? await openDm(client, to.user) : to.channel;
    // A broadcast reply is a reply also sent to the channel (reply_broadcast only means something with thread_ts).
    const thread = threadTs ? (broadcast ? { thread_ts: threadTs, reply_broadcast: true } : { thread_ts: threadTs }) : {};
    const posted = await client.chat.postMessage({
      channel,
      text: message.text,
      ...(message.blocks && message.blocks.length > 0 ? { blocks: message.blocks } : {}),
      ...thread,
      unfurl_links: false,
      metadata: { event_type: POST_EVENT_TYPE, event_payload: { key } },
    });
    return { channel: posted.channel ?? channel, ts: posted.ts ?? '' };
  }

  /**
   * The message an earlier attempt posted under `key` (its metadata), if it reached Slack: looked for in the
   * conversation (or the thread), newest first, page by page; 'too-many' past MAX_HISTORY_PAGES.
   */
  async function findPosted(key: string, to: Recipient, threadTs?: string): Promise<PostedMessage | 'not-found' | 'too-many'> {
    const channel = 'user' in to ? await openDm(client, to.user) : to.channel;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_HISTORY_PAGES; page += 1) {
      const query = { channel, limit: HISTORY_PAGE, include_all_metadata: true, ...(cursor ? { cursor } : {}) };
      const result = threadTs ? await client.conversations.replies({ ...query, ts: threadTs }) : await client.conversations.history(query);
      const found = result.messages?.find((m) => m.metadata?.event_type === POST_EVENT_TYPE && keyIn(m.metadata.event_payload) === key);
      if (found?.ts) return { channel, ts: found.ts };
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!result.has_more || !cursor) return 'not-found';
    }
    return 'too-many';
  }

  /** Posts a claimed message on the session holding its lock, and records the outcome (see postOnce). */
  async function send(
    session: Pick<SqlSession, 'query'>,
    claimId: number,
    request: PostOnceRequest,
  ): Promise<PostOutcome | { unreachable: { channel: string; code: string; error: unknown } }> {
    const { now } = request;
    let posted: PostedMessage;
    try {
      posted = await post(request.key, request.to, request.message, request.threadTs, request.broadcast);
    } catch (error) {
      const unreachable = unreachableChannel(request.to, error);
      if (unreachable) {
        // Not the message's fault, nor for good: posted on the next attempt once the bot is invited.
        await releaseClaim(session, claimId);
        return { unreachable: { ...unreachable, error } };
      }
      if (request.giveUp || isPermanentSlackError(error)) {
        const text = slackErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
        await markFailed(session, { id: claimId, error: text, now });
        return { outcome: 'failed', error: text };
      }
      await releaseClaim(session, claimId);
      throw error;
    }
    // Posted: from here on the claim is never released, so nothing posts it again.
    await markSent(session, { id: claimId, channel: posted.channel, ts: posted.ts, now });
    return { outcome: 'posted', ...posted };
  }

  /**
   * A claim left "sending" by a poster that is gone (we hold the key's lock): adopts the message if it reached
   * Slack, or posts it. Stays at most once (returns `already`) when the conversation cannot be read for good.
   */
  async function resume(session: Pick<SqlSession, 'query'>, record: MessageRecord, request: PostOnceRequest) {
    const unconfirmed = (reason: unknown) => {
      logger?.warn(
        { err: reason, key: request.key },
        'a message left mid-post by a process that died could not be looked for in Slack; it stays unconfirmed (not posted again)',
      );
      return { outcome: 'already' as const, record };
    };
    let found: PostedMessage | 'not-found' | 'too-many';
    try {
      found = await findPosted(request.key, request.to, request.threadTs);
    } catch (error) {
      // For good (e.g. missing_scope): at most once. A passing failure: the next attempt looks again.
      if (isPermanentSlackError(error)) return unconfirmed(error);
      throw error;
    }
    if (found === 'too-many') return unconfirmed(`more than ${MAX_HISTORY_PAGES * HISTORY_PAGE} messages in the conversation`);
    if (found !== 'not-found') {
      await markSent(session, { id: record.id, channel: found.channel, ts: found.ts, now: request.now });
      return { outcome: 'posted' as const, adopted: true as const, ...found };
    }
    return send(session, record.id, request);
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
      // The key's lock is held from the claim to its outcome: a claim found "sending" under it was left by a dead poster.
      const outcome = await withAdvisoryLock(sql, { namespace: 'messagePost', id: lockIdOf(request.key) }, async (session) => {
        const claim = await claimMessage(session, {
          key: request.key,
          recipient: recipientOf(request.to),
          ...(request.about ? { about: request.about } : {}),
          now,
        });
        if (claim.claimed) return send(session, claim.id, request);
        const record = await findMessage(session, request.key);
        // Given back between our claim and this read (by a process holding another key of the same lock id): try again.
        if (!record) throw new Error(`the claim of message ${request.key} was given back meanwhile; try again`);
        if (record.status !== 'sending') return { outcome: 'already' as const, record };
        return resume(session, record, request);
      });
      if ('unreachable' in outcome) {
        const { channel, code, error } = outcome.unreachable;
        await tellWhoFixesChannels(channel, code, now);
        throw new ChannelUnreachableError(channel, code, { cause: error });
      }
      return outcome;
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
      const posted = await post(request.key, request.to, request.message);
      if (posted.ts) await replaceTs(sql, { id: record.id, oldTs: record.ts, channel: posted.channel, ts: posted.ts, now: request.now });
      return posted;
    },

    find: (key) => findMessage(sql, key),
    list: (about) => listMessages(sql, about),
    openDm: (userId) => openDm(client, userId),
  };
  return messenger;
}
