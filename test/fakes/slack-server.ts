// A fake Slack Web API on loopback, for tests that run the real
// @slack/web-api WebClient (or Bolt's `client`) against it.
//
//   const slack = await startFakeSlack();
//   const client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl });
//   ...
//   expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
//   await slack.close();
//
// It answers with Slack's documented response shapes (HTTP 200 with
// `ok: false` for API errors, HTTP 429 + Retry-After for rate limits), keeps
// what was posted (messages with updates applied and deletions removed,
// ephemerals, modals, App Home views) and records every call with its
// arguments decoded. It also serves `response_url`s (`responseUrl()`), and can
// be told to fail (`failNext`, `rateLimitStorm`).
//
// Strict like Slack (slack-block-kit.ts): blocks and views that breach a
// documented Block Kit limit are refused (`invalid_blocks`, `invalid_arguments`
// for views), a message whose blocks hold more than 12,000 characters of text
// is refused (`msg_blocks_too_long`), and channels are modelled: a post to a
// public channel the bot was not added to fails with `not_in_channel`, to an
// unknown or private one with `channel_not_found` (`addChannel`,
// `removeBotFrom`, `inviteBot`; `conversations.info`, `conversations.list` and
// `conversations.join` answer from the same list). The bot's DMs and group
// DMs always accept its posts. Scopes and message formatting are not modelled.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, readBody } from '../support/http';
import type { ResponseUrlOrigin, SlackView } from '../support/slack-wire';
import { checkMessageBlocks, checkView, type BlockKitRefusal } from './slack-block-kit';
import { FAKE_SLACK_DEFAULTS } from './slack-defaults';

// ---------------------------------------------------------------------------
// Public types

export interface FakeSlackOptions {
  /** The only token accepted (Authorization: Bearer, or `token` in the body). Default 'xoxb-test-token'. */
  botToken?: string;
  botUserId?: string;
  botId?: string;
  botName?: string;
  teamId?: string;
  teamDomain?: string;
  teamName?: string;
  appId?: string;
  /** Clock for `tz_offset` / `tz_label` of users. Default: the real clock. */
  now?: () => Date;
}

export interface FakeSlackChannelInput {
  /** 'C…' (or 'G…' for an old private channel). */
  id: string;
  /** Without '#'; `#name` finds the channel in chat.postMessage, as on Slack. */
  name: string;
  isPrivate?: boolean;
  /** Whether the bot was added (invited) to it. Default true. */
  botIsMember?: boolean;
}

export type SlackFault =
  /** Answer HTTP 200 `{ ok: false, error }` (e.g. 'channel_not_found', 'internal_error'). */
  | { error: string }
  /** Answer HTTP 429 with `Retry-After` and `{ ok: false, error: 'ratelimited' }`, as Slack does. */
  | { rateLimited: { retryAfterSeconds: number } }
  /** Answer a bare HTTP 500/503 (what Slack's load balancers send when Slack is down). */
  | { httpStatus: 500 | 503 }
  /** Wait, then answer normally (state changes happen after the delay). */
  | { delayMs: number };

export interface FakeSlackCall {
  method: string;
  /** Arguments with JSON-encoded values (blocks, view, attachments, metadata…) decoded; `token` removed. */
  args: Record<string, unknown>;
  /** The token the caller sent, if any. */
  token?: string;
  /** Date.now() on arrival. */
  at: number;
  /** Filled in when the fake has answered. */
  response?: { status: number; body: Record<string, unknown> };
}

export interface FakeSlackUserInput {
  id: string;
  name: string;
  realName?: string;
  displayName?: string;
  email?: string;
  /** IANA zone, default 'America/Los_Angeles'. */
  tz?: string;
  isBot?: boolean;
  isAdmin?: boolean;
  deleted?: boolean;
}

/** A user as users.info returns it. */
export interface SlackUser {
  id: string;
  team_id: string;
  name: string;
  deleted: boolean;
  color: string;
  real_name: string;
  tz: string;
  tz_label: string;
  tz_offset: number;
  profile: {
    real_name: string;
    real_name_normalized: string;
    display_name: string;
    display_name_normalized: string;
    email?: string;
    team: string;
    image_48: string;
  };
  is_admin: boolean;
  is_owner: boolean;
  is_primary_owner: boolean;
  is_restricted: boolean;
  is_ultra_restricted: boolean;
  is_bot: boolean;
  is_app_user: boolean;
  updated: number;
}

/** A message as it is in a channel now. */
export interface FakeSlackMessage {
  channel: string;
  ts: string;
  type: 'message';
  user: string;
  bot_id: string;
  app_id: string;
  team: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  /** A thread reply also sent to the channel (`reply_broadcast`): Slack lists it in the channel's history too. */
  subtype?: 'thread_broadcast';
  metadata?: unknown;
  edited?: { user: string; ts: string };
}

export interface FakeSlackEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  /** 'chat.postEphemeral' or 'response_url'. */
  via: 'chat.postEphemeral' | 'response_url';
}

/** A view (modal or App Home) as Slack returns it from views.open / views.publish / views.update. */
export interface FakeSlackView extends SlackView<Record<string, unknown>> {
  previous_view_id: string | null;
  [key: string]: unknown;
}

export interface FakeSlackResponse {
  id: string;
  /** The parsed JSON body: response_type, replace_original, delete_original, text, blocks… */
  body: Record<string, unknown>;
  at: number;
  /** Which TCP connection it came on (1 for the server's first, and so on): shows whether the bot reuses its connections. */
  connection: number;
}

export type { ResponseUrlOrigin } from '../support/slack-wire';

export interface FakeSlack {
  /** Base URL ending in '/api/'; give it to WebClient as `slackApiUrl` (SLACK_API_URL). */
  readonly apiUrl: string;
  /** 'http://127.0.0.1:PORT' */
  readonly baseUrl: string;
  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly appId: string;

  /** Every Web API call, in arrival order. */
  readonly calls: FakeSlackCall[];
  callsTo(method: string): FakeSlackCall[];
  /** Forget calls, responses, messages, ephemerals, views and pending faults (users and usergroups stay). */
  reset(): void;

  addUser(user: FakeSlackUserInput): SlackUser;
  addUsergroup(id: string, userIds: string[], options?: { handle?: string; name?: string }): void;
  /** The IM channel conversations.open returns for this user ('D…', stable). */
  dmChannelFor(userId: string): string;

  /** A channel of the workspace (replaces one with the same id). The bot's DMs need none. */
  addChannel(channel: FakeSlackChannelInput): void;
  /** Adds the bot to a channel (by id or '#name'), as `/invite @release-conductor` does. */
  inviteBot(channel: string): void;
  /** Takes the bot out of a channel (by id or '#name'): its posts there fail with `not_in_channel` (public) or `channel_not_found` (private). */
  removeBotFrom(channel: string): void;
  /** Whether the bot is in a channel (by id or '#name'); false for an unknown one. */
  botIsIn(channel: string): boolean;
  /** Whether the workspace has this channel (by id or '#name'). */
  hasChannel(channel: string): boolean;

  /** Messages now in Slack (all channels, post order), updates applied, deletions removed. */
  readonly messages: FakeSlackMessage[];
  /** Messages in one channel; with `threadTs`, only that thread (parent and replies). */
  messagesIn(channel: string, options?: { threadTs?: string }): FakeSlackMessage[];
  readonly ephemerals: FakeSlackEphemeral[];
  ephemeralsFor(userId: string): FakeSlackEphemeral[];
  /** Modals opened or pushed, in order, in their latest state. */
  readonly modals: FakeSlackView[];
  view(viewId: string): FakeSlackView | undefined;
  /** App Home view currently published, by user id. */
  readonly publishedViews: ReadonlyMap<string, FakeSlackView>;
  publishedView(userId: string): FakeSlackView | undefined;

  /** A response_url served by this fake ('/response/<id>'); `origin` links it to a channel / message. */
  responseUrl(id?: string, origin?: ResponseUrlOrigin): string;
  readonly responses: FakeSlackResponse[];
  responsesTo(id: string): FakeSlackResponse[];

  /** Resolves with all responses once at least `count` arrived. */
  waitForResponses(count: number, timeoutMs?: number): Promise<FakeSlackResponse[]>;
  /** Resolves with calls to `method` once at least `count` arrived (non-delayed calls have their state applied). */
  waitForCalls(method: string, count: number, timeoutMs?: number): Promise<FakeSlackCall[]>;

  /** The next `times` calls to `method` ('*' = any method, 'response_url' = response URLs) get `fault`. Queued in order. */
  failNext(
    method: string,
    fault: SlackFault,
    options?: {
      times?: number;
      /** Only a call whose arguments (a response_url's body) this accepts gets the fault; the others pass it by. */
      when?: (args: Record<string, unknown>) => boolean;
    },
  ): void;
  rateLimitStorm(method: string, options: { retryAfterSeconds: number; count: number }): void;
  /** Faults still queued for `method`. */
  pendingFaults(method: string): number;
  clearFaults(): void;

  /**
   * Serves a method that takes the app-level token (`xapp-…`) instead of the bot token, as `apps.connections.open`
   * does (test/fakes/slack-socket.ts). As on Slack, a bot token gets `not_allowed_token_type` there, and the app
   * token gets it on every bot method.
   */
  serveAppLevelMethod(method: string, appToken: string, handler: (args: Record<string, unknown>) => Record<string, unknown>): void;

  /** Stops the server, ends every connection, rejects pending waits. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Helpers

class SlackApiError extends Error {
  constructor(
    readonly code: string,
    /** Slack's `response_metadata.messages` (e.g. which Block Kit limit a payload breached). */
    readonly messages: string[] = [],
  ) {
    super(code);
  }
}

const refuse = (refusal: BlockKitRefusal | undefined): void => {
  if (refusal) throw new SlackApiError(refusal.error, refusal.messages);
};

type Args = Record<string, unknown>;
type ApiResult = Record<string, unknown>;

/** Top-level arguments that are text, never JSON, even when they start with '[' or '{'. */
const TEXT_ARGS = new Set(['text', 'fallback', 'query', 'title', 'alt_text', 'initial_comment', 'markdown_text', 'icon_emoji', 'username']);

function decodeValue(key: string, value: string): unknown {
  if (TEXT_ARGS.has(key)) return value;
  const trimmed = value.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return value;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return typeof parsed === 'object' && parsed !== null ? parsed : value;
  } catch {
    return value;
  }
}

function decodeForm(params: URLSearchParams): Args {
  const args: Args = {};
  for (const [key, value] of params) args[key] = decodeValue(key, value);
  return args;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Slack's message metadata: `event_type` (letters, digits and underscores) and an object `event_payload`. */
function checkMetadata(metadata: unknown): void {
  if (!isRecord(metadata)) throw new SlackApiError('invalid_metadata_format');
  const { event_type: type, event_payload: payload } = metadata;
  if (typeof type !== 'string' || !/^[A-Za-z0-9_]{1,255}$/.test(type) || !isRecord(payload))
    throw new SlackApiError('invalid_metadata_format');
}

function str(args: Args, key: string): string | undefined {
  const value = args[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function flag(args: Args, key: string): boolean {
  const value = args[key];
  return value === true || value === 'true' || value === 1 || value === '1';
}

function arrayArg(args: Args, key: string, errorCode: string): unknown[] | undefined {
  const value = args[key];
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value)) return value;
  throw new SlackApiError(errorCode);
}

function zoneParts(tz: string, at: Date): { label: string; offsetSeconds: number } {
  const part = (style: 'long' | 'longOffset'): string =>
    new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: style }).formatToParts(at).find((p) => p.type === 'timeZoneName')
      ?.value ?? '';
  const offset = part('longOffset'); // 'GMT-07:00', 'GMT+05:30' or 'GMT'
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(offset);
  const offsetSeconds = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 3600 + Number(match[3]) * 60) : 0;
  return { label: part('long'), offsetSeconds };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

interface Waiter {
  done: () => boolean;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

// ---------------------------------------------------------------------------

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botToken = options.botToken ?? FAKE_SLACK_DEFAULTS.botToken;
  const botUserId = options.botUserId ?? FAKE_SLACK_DEFAULTS.botUserId;
  const botId = options.botId ?? FAKE_SLACK_DEFAULTS.botId;
  const botName = options.botName ?? FAKE_SLACK_DEFAULTS.botName;
  const teamId = options.teamId ?? FAKE_SLACK_DEFAULTS.teamId;
  const teamDomain = options.teamDomain ?? FAKE_SLACK_DEFAULTS.teamDomain;
  const teamName = options.teamName ?? FAKE_SLACK_DEFAULTS.teamName;
  const appId = options.appId ?? FAKE_SLACK_DEFAULTS.apiAppId;
  const now = options.now ?? ((): Date => new Date());

  const calls: FakeSlackCall[] = [];
  const responses: FakeSlackResponse[] = [];
  let messages: FakeSlackMessage[] = [];
  let ephemerals: FakeSlackEphemeral[] = [];
  const users = new Map<string, Required<Omit<FakeSlackUserInput, 'email'>> & { email?: string }>();
  const usergroups = new Map<string, { userIds: string[]; handle: string; name: string }>();
  const views = new Map<string, FakeSlackView>();
  let modalIds: string[] = [];
  const homeViewIds = new Map<string, string>();
  const usedTriggerIds = new Set<string>();
  const openedDms = new Set<string>();
  const channels = new Map<string, { id: string; name: string; isPrivate: boolean; botIsMember: boolean }>();
  const responseOrigins = new Map<string, ResponseUrlOrigin>();
  const faults = new Map<string, Array<{ fault: SlackFault; when?: (args: Record<string, unknown>) => boolean }>>();
  const waiters = new Set<Waiter>();
  const appLevelMethods = new Map<string, { appToken: string; handler: (args: Args) => ApiResult }>();
  const appTokens = (): Set<string> => new Set([...appLevelMethods.values()].map((m) => m.appToken));
  const pendingTimers = new Set<NodeJS.Timeout>();
  let tsCounter = 0;
  let idCounter = 0;
  let closed = false;

  // '1700000000.000100', '1700000000.000200', … unique and increasing (also as strings).
  const nextTs = (): string => {
    tsCounter += 1;
    const micros = tsCounter * 100;
    return `${1700000000 + Math.floor(micros / 1e6)}.${pad(micros % 1e6, 6)}`;
  };
  const nextId = (prefix: string): string => {
    idCounter += 1;
    return `${prefix}0${pad(idCounter, 9)}`;
  };

  const notifyWaiters = (): void => {
    for (const waiter of waiters) {
      if (waiter.done()) {
        clearTimeout(waiter.timer);
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };

  const waitFor = <T>(done: () => boolean, value: () => T, timeoutMs: number, describe: () => string): Promise<T> => {
    if (done()) return Promise.resolve(value());
    if (closed) return Promise.reject(new Error(`fake Slack is closed: ${describe()}`));
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        done,
        resolve: () => resolve(value()),
        reject,
        timer: setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`fake Slack: timed out after ${timeoutMs} ms ${describe()}`));
        }, timeoutMs),
      };
      waiters.add(waiter);
    });
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        resolve();
      }, ms);
      pendingTimers.add(timer);
    });

  const takeFault = (method: string, args: Record<string, unknown>): SlackFault | undefined => {
    for (const key of [method, '*']) {
      const queue = faults.get(key);
      const index = queue?.findIndex((entry) => !entry.when || entry.when(args)) ?? -1;
      const taken = queue && index >= 0 ? queue.splice(index, 1)[0] : undefined;
      if (queue && queue.length === 0) faults.delete(key);
      if (taken) return taken.fault;
    }
    return undefined;
  };

  // --- users -------------------------------------------------------------

  const renderUser = (id: string): SlackUser | undefined => {
    const u = users.get(id);
    if (!u) return undefined;
    const zone = zoneParts(u.tz, now());
    return {
      id: u.id,
      team_id: teamId,
      name: u.name,
      deleted: u.deleted,
      color: '9f69e7',
      real_name: u.realName,
      tz: u.tz,
      tz_label: zone.label,
      tz_offset: zone.offsetSeconds,
      profile: {
        real_name: u.realName,
        real_name_normalized: u.realName,
        display_name: u.displayName,
        display_name_normalized: u.displayName,
        ...(u.email !== undefined ? { email: u.email } : {}),
        team: teamId,
        image_48: `https://avatars.slack-edge.example/${u.id}_48.png`,
      },
      is_admin: u.isAdmin,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: u.isBot,
      is_app_user: false,
      updated: 1700000000,
    };
  };

  const addUser = (input: FakeSlackUserInput): SlackUser => {
    users.set(input.id, {
      id: input.id,
      name: input.name,
      realName: input.realName ?? input.name,
      displayName: input.displayName ?? input.name,
      tz: input.tz ?? 'America/Los_Angeles',
      isBot: input.isBot ?? false,
      isAdmin: input.isAdmin ?? false,
      deleted: input.deleted ?? false,
      ...(input.email !== undefined ? { email: input.email } : {}),
    });
    const rendered = renderUser(input.id);
    if (!rendered) throw new Error('unreachable');
    return rendered;
  };
  addUser({ id: botUserId, name: botName, realName: botName, isBot: true });

  const dmChannelFor = (userId: string): string => `D${userId.replace(/^[UW]/, '')}`;
  const isUserId = (id: string): boolean => /^[UW][A-Z0-9]+$/.test(id);

  // --- channels ------------------------------------------------------------

  const findChannel = (idOrName: string) =>
    idOrName.startsWith('#') ? [...channels.values()].find((c) => c.name === idOrName.slice(1)) : channels.get(idOrName);
  const requireChannel = (idOrName: string) => {
    const channel = findChannel(idOrName);
    if (!channel) throw new Error(`fake Slack: no channel ${idOrName} (addChannel it first)`);
    return channel;
  };
  /** The bot's IMs and group DMs (conversations.open) always take its posts. */
  const isDirect = (id: string): boolean => /^[DG]/.test(id) && !channels.has(id);
  /** Slack: a private channel the bot is not in does not exist for it; a public one says not_in_channel. */
  const checkCanPost = (idOrName: string): void => {
    if (isDirect(idOrName)) return;
    const channel = findChannel(idOrName);
    if (!channel || (channel.isPrivate && !channel.botIsMember)) throw new SlackApiError('channel_not_found');
    if (!channel.botIsMember) throw new SlackApiError('not_in_channel');
  };
  const channelPayload = (c: { id: string; name: string; isPrivate: boolean; botIsMember: boolean }): ApiResult => ({
    id: c.id,
    name: c.name,
    is_channel: !c.isPrivate,
    is_group: false,
    is_im: false,
    is_private: c.isPrivate,
    is_archived: false,
    is_general: false,
    is_member: c.botIsMember,
    context_team_id: teamId,
    created: 1700000000,
  });

  // --- messages ----------------------------------------------------------

  const findMessage = (channel: string, ts: string): FakeSlackMessage | undefined =>
    messages.find((m) => m.channel === channel && m.ts === ts);

  const postMessage = (fields: {
    channel: string;
    text: string;
    blocks?: unknown[];
    attachments?: unknown[];
    threadTs?: string;
    metadata?: unknown;
    broadcast?: boolean;
  }): FakeSlackMessage => {
    const message: FakeSlackMessage = {
      channel: fields.channel,
      ts: nextTs(),
      type: 'message',
      user: botUserId,
      bot_id: botId,
      app_id: appId,
      team: teamId,
      text: fields.text,
      ...(fields.blocks !== undefined ? { blocks: fields.blocks } : {}),
      ...(fields.attachments !== undefined ? { attachments: fields.attachments } : {}),
      ...(fields.threadTs !== undefined ? { thread_ts: fields.threadTs } : {}),
      ...(fields.threadTs !== undefined && fields.broadcast ? { subtype: 'thread_broadcast' as const } : {}),
      ...(fields.metadata !== undefined ? { metadata: fields.metadata } : {}),
    };
    messages.push(message);
    return message;
  };

  /** One page of `ordered` messages, as conversations.history and .replies answer (see there). */
  const historyPage = (
    args: Args,
    ordered: FakeSlackMessage[],
  ): { ok: true; messages: ApiResult[]; has_more: boolean; response_metadata: { next_cursor: string } } => {
    const requested = Number(str(args, 'limit') ?? '100');
    if (!Number.isInteger(requested) || requested < 1) throw new SlackApiError('invalid_limit');
    const limit = Math.min(requested, 999);
    const inclusive = ['true', '1'].includes(str(args, 'inclusive') ?? '');
    const oldest = str(args, 'oldest');
    const latest = str(args, 'latest');
    const inRange = ordered.filter((m) => {
      const t = Number(m.ts);
      if (oldest !== undefined && (inclusive ? t < Number(oldest) : t <= Number(oldest))) return false;
      if (latest !== undefined && (inclusive ? t > Number(latest) : t >= Number(latest))) return false;
      return true;
    });
    const cursor = str(args, 'cursor');
    let start = 0;
    if (cursor) {
      const decoded = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
      if (!decoded) throw new SlackApiError('invalid_cursor');
      start = Number(decoded[1]);
    }
    const page = inRange.slice(start, start + limit);
    const more = start + limit < inRange.length;
    return {
      ok: true,
      messages: page.map((m) => historyPayload(args, m)),
      has_more: more,
      response_metadata: { next_cursor: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' },
    };
  };

  /** A message as history answers it: its metadata only when asked for. */
  const historyPayload = (args: Args, m: FakeSlackMessage): ApiResult => {
    const { metadata: _metadata, ...rest } = messagePayload(m);
    return ['true', '1'].includes(str(args, 'include_all_metadata') ?? '') && m.metadata !== undefined
      ? { ...rest, metadata: m.metadata }
      : rest;
  };

  const messagePayload = (m: FakeSlackMessage): ApiResult => {
    const { channel: _channel, ...rest } = m;
    return rest;
  };

  const requireContent = (args: Args): { text: string; blocks?: unknown[]; attachments?: unknown[] } => {
    const text = str(args, 'text') ?? '';
    const blocks = arrayArg(args, 'blocks', 'invalid_blocks');
    const attachments = arrayArg(args, 'attachments', 'invalid_attachments');
    if (text === '' && (blocks === undefined || blocks.length === 0) && (attachments === undefined || attachments.length === 0)) {
      throw new SlackApiError('no_text');
    }
    return { text, ...(blocks !== undefined ? { blocks } : {}), ...(attachments !== undefined ? { attachments } : {}) };
  };

  const resolvePostChannel = (channel: string | undefined): string => {
    if (!channel) throw new SlackApiError('channel_not_found');
    if (isUserId(channel)) {
      // Posting to a user ID posts in the app's DM with that user.
      if (!users.has(channel)) throw new SlackApiError('channel_not_found');
      return dmChannelFor(channel);
    }
    checkCanPost(channel);
    return channel;
  };

  // --- views -------------------------------------------------------------

  const buildView = (input: unknown, base: { id: string; rootViewId: string; previousViewId: string | null }): FakeSlackView => {
    if (!isRecord(input)) throw new SlackApiError('invalid_arguments');
    const type = typeof input.type === 'string' ? input.type : '';
    if (type !== 'modal' && type !== 'home') throw new SlackApiError('invalid_arguments');
    refuse(checkView(input));
    const blocks = Array.isArray(input.blocks) ? input.blocks : [];
    idCounter += 1;
    return {
      ...input,
      id: base.id,
      team_id: teamId,
      type,
      blocks,
      private_metadata: typeof input.private_metadata === 'string' ? input.private_metadata : '',
      callback_id: typeof input.callback_id === 'string' ? input.callback_id : '',
      state: { values: {} },
      hash: `${1700000000 + idCounter}.${pad(idCounter * 7919, 8)}`,
      clear_on_close: input.clear_on_close === true,
      notify_on_close: input.notify_on_close === true,
      previous_view_id: base.previousViewId,
      root_view_id: base.rootViewId,
      app_id: appId,
      external_id: typeof input.external_id === 'string' ? input.external_id : '',
      app_installed_team_id: teamId,
      bot_id: botId,
    };
  };

  const checkExternalId = (view: FakeSlackView, exceptId?: string): void => {
    if (view.external_id === '') return;
    for (const other of views.values()) {
      if (other.id !== exceptId && other.external_id === view.external_id) throw new SlackApiError('duplicate_external_id');
    }
  };

  const openModal = (args: Args): ApiResult => {
    const triggerId = str(args, 'trigger_id') ?? str(args, 'interactivity_pointer');
    if (!triggerId) throw new SlackApiError('invalid_arguments');
    if (triggerId === 'expired') throw new SlackApiError('expired_trigger_id');
    if (usedTriggerIds.has(triggerId)) throw new SlackApiError('exchanged_trigger_id');
    const id = nextId('V');
    const view = buildView(args.view, { id, rootViewId: id, previousViewId: null });
    if (view.type !== 'modal') throw new SlackApiError('invalid_arguments');
    checkExternalId(view);
    usedTriggerIds.add(triggerId);
    views.set(id, view);
    modalIds.push(id);
    return { ok: true, view };
  };

  // --- response URLs -------------------------------------------------------

  const responseUseCounts = new Map<string, number>();

  const applyResponse = (id: string, body: Record<string, unknown>): void => {
    const origin = responseOrigins.get(id);
    if (!origin) return;
    const isTrue = (key: string): boolean => body[key] === true || body[key] === 'true';
    const text = typeof body.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
    if (isTrue('delete_original')) {
      if (origin.ts !== undefined) messages = messages.filter((m) => !(m.channel === origin.channel && m.ts === origin.ts));
      return;
    }
    if (isTrue('replace_original') && origin.ts !== undefined) {
      const original = findMessage(origin.channel, origin.ts);
      if (original) {
        original.text = text;
        if (blocks !== undefined) original.blocks = blocks;
        else delete original.blocks;
        original.edited = { user: botUserId, ts: nextTs() };
      }
      return;
    }
    if (body.response_type === 'in_channel') {
      postMessage({ channel: origin.channel, text, ...(blocks ? { blocks } : {}), ...(threadTs ? { threadTs } : {}) });
    } else if (origin.user !== undefined) {
      ephemerals.push({
        channel: origin.channel,
        user: origin.user,
        message_ts: nextTs(),
        text,
        ...(blocks ? { blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
        via: 'response_url',
      });
    }
  };

  // --- Web API methods ---------------------------------------------------

  const methods: Record<string, (args: Args) => ApiResult> = {
    'api.test': (args) => ({ ok: true, args }),

    'auth.test': () => ({
      ok: true,
      url: `https://${teamDomain}.slack.com/`,
      team: teamName,
      user: botName,
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (args) => {
      const channel = resolvePostChannel(str(args, 'channel'));
      const content = requireContent(args);
      refuse(checkMessageBlocks(content.blocks, { countText: true }));
      const threadTs = str(args, 'thread_ts');
      if (args.metadata !== undefined) checkMetadata(args.metadata);
      // As Slack: `reply_broadcast` (true or "true") also sends a thread reply to the channel; without thread_ts it is ignored.
      const broadcast = args.reply_broadcast === true || args.reply_broadcast === 'true';
      const message = postMessage({
        channel,
        ...content,
        ...(threadTs ? { threadTs, broadcast } : {}),
        ...(args.metadata !== undefined ? { metadata: args.metadata } : {}),
      });
      return { ok: true, channel, ts: message.ts, message: messagePayload(message) };
    },

    'chat.postEphemeral': (args) => {
      const channel = str(args, 'channel');
      if (!channel) throw new SlackApiError('channel_not_found');
      const user = str(args, 'user');
      if (!user || !users.has(user)) throw new SlackApiError('user_not_in_channel');
      const content = requireContent(args);
      refuse(checkMessageBlocks(content.blocks, { countText: false }));
      const threadTs = str(args, 'thread_ts');
      const messageTs = nextTs();
      ephemerals.push({
        channel,
        user,
        message_ts: messageTs,
        text: content.text,
        ...(content.blocks ? { blocks: content.blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
        via: 'chat.postEphemeral',
      });
      return { ok: true, message_ts: messageTs };
    },

    'chat.update': (args) => {
      const channel = str(args, 'channel');
      if (!channel) throw new SlackApiError('channel_not_found');
      const ts = str(args, 'ts');
      const message = ts ? findMessage(channel, ts) : undefined;
      if (!message) throw new SlackApiError('message_not_found');
      checkCanPost(channel);
      const text = str(args, 'text');
      const blocks = arrayArg(args, 'blocks', 'invalid_blocks');
      refuse(checkMessageBlocks(blocks, { countText: true }));
      const attachments = arrayArg(args, 'attachments', 'invalid_attachments');
      if (text === undefined && blocks === undefined && attachments === undefined) throw new SlackApiError('no_text');
      if (text !== undefined) message.text = text;
      if (blocks !== undefined) message.blocks = blocks;
      if (attachments !== undefined) message.attachments = attachments;
      if (args.metadata !== undefined) message.metadata = args.metadata;
      message.edited = { user: botUserId, ts: nextTs() };
      return { ok: true, channel, ts: message.ts, text: message.text, message: messagePayload(message) };
    },

    'chat.delete': (args) => {
      const channel = str(args, 'channel');
      if (!channel) throw new SlackApiError('channel_not_found');
      const ts = str(args, 'ts');
      if (!ts || !findMessage(channel, ts)) throw new SlackApiError('message_not_found');
      messages = messages.filter((m) => !(m.channel === channel && m.ts === ts));
      return { ok: true, channel, ts };
    },

    'conversations.open': (args) => {
      const channelArg = str(args, 'channel');
      if (channelArg) return { ok: true, channel: { id: channelArg } };
      const ids = (str(args, 'users') ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter((u) => u !== '');
      if (ids.length === 0) throw new SlackApiError('users_list_not_supplied');
      for (const id of ids) if (!users.has(id)) throw new SlackApiError('user_not_found');
      const [first] = ids;
      if (ids.length === 1 && first !== undefined) {
        const id = dmChannelFor(first);
        const alreadyOpen = openedDms.has(id);
        openedDms.add(id);
        return alreadyOpen ? { ok: true, no_op: true, already_open: true, channel: { id } } : { ok: true, channel: { id } };
      }
      return {
        ok: true,
        channel: {
          id: `G${[...ids]
            .sort()
            .map((u) => u.slice(1))
            .join('')}`.slice(0, 21),
        },
      };
    },

    'conversations.info': (args) => {
      const id = str(args, 'channel') ?? '';
      const channel = channels.get(id);
      if (isDirect(id) && id !== '') return { ok: true, channel: { id, is_im: id.startsWith('D'), is_member: true, is_private: true } };
      if (!channel || (channel.isPrivate && !channel.botIsMember)) throw new SlackApiError('channel_not_found');
      return { ok: true, channel: channelPayload(channel) };
    },

    'conversations.list': (args) => {
      const limit = Math.max(1, Math.min(1000, Number(str(args, 'limit') ?? '100') || 100));
      const offset = Number(str(args, 'cursor') ?? '0') || 0;
      const types = (str(args, 'types') ?? 'public_channel').split(',');
      const visible = [...channels.values()].filter((c) =>
        c.isPrivate ? types.includes('private_channel') && c.botIsMember : types.includes('public_channel'),
      );
      const page = visible.slice(offset, offset + limit);
      const next = offset + limit < visible.length ? String(offset + limit) : '';
      return { ok: true, channels: page.map(channelPayload), response_metadata: { next_cursor: next } };
    },

    'conversations.join': (args) => {
      const channel = channels.get(str(args, 'channel') ?? '');
      if (!channel || channel.isPrivate) throw new SlackApiError(channel ? 'method_not_supported_for_channel_type' : 'channel_not_found');
      const already = channel.botIsMember;
      channel.botIsMember = true;
      return { ok: true, channel: channelPayload(channel), ...(already ? { warning: 'already_in_channel' } : {}) };
    },

    // As Slack: newest first, `limit` (default 100, at most 999) per page with an opaque cursor, `oldest`/`latest`
    // (exclusive unless `inclusive`), and a message's `metadata` only with `include_all_metadata`.
    'conversations.history': (args) => {
      const channel = str(args, 'channel');
      if (!channel) throw new SlackApiError('channel_not_found');
      const top = messages.filter(
        (m) => m.channel === channel && (m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === 'thread_broadcast'),
      );
      return historyPage(args, [...top].reverse());
    },

    'conversations.replies': (args) => {
      const channel = str(args, 'channel');
      if (!channel) throw new SlackApiError('channel_not_found');
      const ts = str(args, 'ts');
      const parent = ts ? findMessage(channel, ts) : undefined;
      if (!parent || !ts) throw new SlackApiError('thread_not_found');
      // Oldest first, the parent first (Slack returns it on every page).
      const replies = messages.filter((m) => m.channel === channel && m.thread_ts === ts && m.ts !== ts);
      const page = historyPage(args, replies);
      return { ...page, messages: [historyPayload(args, parent), ...page.messages] };
    },

    'views.open': openModal,
    'views.push': openModal,

    'views.update': (args) => {
      const viewId = str(args, 'view_id');
      const externalId = str(args, 'external_id');
      if (!viewId && !externalId) throw new SlackApiError('invalid_arguments');
      const current = viewId ? views.get(viewId) : [...views.values()].find((v) => v.external_id === externalId);
      if (!current) throw new SlackApiError('not_found');
      const hash = str(args, 'hash');
      if (hash && hash !== current.hash) throw new SlackApiError('hash_conflict');
      const next = buildView(args.view, { id: current.id, rootViewId: current.root_view_id, previousViewId: current.previous_view_id });
      if (next.external_id === '' && current.external_id !== '') next.external_id = current.external_id;
      checkExternalId(next, current.id);
      views.set(current.id, next);
      return { ok: true, view: next };
    },

    'views.publish': (args) => {
      const userId = str(args, 'user_id');
      if (!userId) throw new SlackApiError('invalid_arguments');
      const existingId = homeViewIds.get(userId);
      const existing = existingId ? views.get(existingId) : undefined;
      const hash = str(args, 'hash');
      if (hash && existing && hash !== existing.hash) throw new SlackApiError('hash_conflict');
      const id = existing?.id ?? nextId('V');
      const view = buildView(args.view, { id, rootViewId: id, previousViewId: null });
      if (view.type !== 'home') throw new SlackApiError('invalid_arguments');
      checkExternalId(view, id);
      views.set(id, view);
      homeViewIds.set(userId, id);
      return { ok: true, view };
    },

    'users.info': (args) => {
      const user = renderUser(str(args, 'user') ?? '');
      if (!user) throw new SlackApiError('user_not_found');
      return { ok: true, user };
    },

    'users.lookupByEmail': (args) => {
      const email = (str(args, 'email') ?? '').toLowerCase();
      const match = [...users.values()].find((u) => u.email !== undefined && u.email.toLowerCase() === email);
      const user = match ? renderUser(match.id) : undefined;
      if (!user || email === '') throw new SlackApiError('users_not_found');
      return { ok: true, user };
    },

    'usergroups.users.list': (args) => {
      const group = usergroups.get(str(args, 'usergroup') ?? '');
      if (!group) throw new SlackApiError('no_such_subteam');
      return { ok: true, users: [...group.userIds] };
    },

    'usergroups.list': (args) => ({
      ok: true,
      usergroups: [...usergroups.entries()].map(([id, g]) => ({
        id,
        team_id: teamId,
        is_usergroup: true,
        name: g.name,
        handle: g.handle,
        description: '',
        date_delete: 0,
        user_count: g.userIds.length,
        ...(flag(args, 'include_users') ? { users: [...g.userIds] } : {}),
      })),
    }),
  };

  // --- HTTP ----------------------------------------------------------------

  const parseArgs = (req: IncomingMessage, raw: string, query: URLSearchParams): Args => {
    const args = decodeForm(query);
    const contentType = (req.headers['content-type'] ?? '').toLowerCase();
    if (raw.trim() === '') return args;
    if (contentType.startsWith('application/json')) {
      const parsed: unknown = JSON.parse(raw); // a SyntaxError becomes 'invalid_json'
      if (!isRecord(parsed)) throw new SlackApiError('invalid_json');
      return { ...args, ...parsed };
    }
    if (contentType.startsWith('application/x-www-form-urlencoded') || contentType === '') {
      return { ...args, ...decodeForm(new URLSearchParams(raw)) };
    }
    throw new SlackApiError('invalid_form_data');
  };

  const answerFault = (res: ServerResponse, fault: SlackFault, call?: FakeSlackCall): boolean => {
    if ('error' in fault) {
      const body = { ok: false, error: fault.error };
      if (call) call.response = { status: 200, body };
      sendJson(res, 200, body);
      return true;
    }
    if ('rateLimited' in fault) {
      const body = { ok: false, error: 'ratelimited' };
      if (call) call.response = { status: 429, body };
      sendJson(res, 429, body, { 'retry-after': String(fault.rateLimited.retryAfterSeconds) });
      return true;
    }
    if ('httpStatus' in fault) {
      const reason = fault.httpStatus === 503 ? 'Service Unavailable' : 'Internal Server Error';
      if (call) call.response = { status: fault.httpStatus, body: {} };
      if (!res.destroyed) {
        res.writeHead(fault.httpStatus, { 'content-type': 'text/html' });
        res.end(`<html><body><h1>${fault.httpStatus} ${reason}</h1></body></html>`);
      }
      return true;
    }
    return false;
  };

  const handleApi = async (
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    raw: string,
    query: URLSearchParams,
  ): Promise<void> => {
    let args: Args;
    let parseError: string | undefined;
    try {
      args = parseArgs(req, raw, query);
    } catch (error) {
      args = {};
      parseError = error instanceof SlackApiError ? error.code : 'invalid_json';
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const bodyToken = str(args, 'token');
    delete args.token;
    const token = bearer ?? bodyToken;
    const call: FakeSlackCall = { method, args, ...(token !== undefined ? { token } : {}), at: Date.now() };
    calls.push(call);

    const respond = (status: number, body: Record<string, unknown>): void => {
      call.response = { status, body };
      sendJson(res, status, body);
    };

    const fault = takeFault(method, args);
    if (fault && 'delayMs' in fault) {
      notifyWaiters();
      await sleep(fault.delayMs);
      if (closed) return;
    } else if (fault) {
      answerFault(res, fault, call);
      notifyWaiters();
      return;
    }

    const appLevel = appLevelMethods.get(method);
    const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (appLevel) {
      if (token === undefined || token === '') respond(200, { ok: false, error: 'not_authed' });
      else if (token === appLevel.appToken) respond(200, appLevel.handler(args));
      else if (/^xox[bpe]-/.test(token)) respond(200, { ok: false, error: 'not_allowed_token_type' });
      else respond(200, { ok: false, error: 'invalid_auth' });
    } else if (!handler) respond(200, { ok: false, error: 'unknown_method', req_method: method });
    else if (parseError) respond(200, { ok: false, error: parseError });
    else if (method === 'api.test')
      respond(200, handler(args)); // needs no token, as on Slack
    else if (token === undefined || token === '') respond(200, { ok: false, error: 'not_authed' });
    else if (appTokens().has(token)) respond(200, { ok: false, error: 'not_allowed_token_type' });
    else if (token !== botToken) respond(200, { ok: false, error: 'invalid_auth' });
    else {
      try {
        respond(200, handler(args));
      } catch (error) {
        if (!(error instanceof SlackApiError)) throw error;
        respond(200, {
          ok: false,
          error: error.code,
          ...(error.messages.length > 0 ? { response_metadata: { messages: error.messages } } : {}),
        });
      }
    }
    notifyWaiters();
  };

  const handleResponseUrl = async (req: IncomingMessage, res: ServerResponse, id: string, raw: string): Promise<void> => {
    let body: Record<string, unknown>;
    try {
      const contentType = (req.headers['content-type'] ?? '').toLowerCase();
      const parsed: unknown = contentType.startsWith('application/x-www-form-urlencoded')
        ? JSON.parse(new URLSearchParams(raw).get('payload') ?? '')
        : JSON.parse(raw);
      if (!isRecord(parsed)) throw new Error('not an object');
      body = parsed;
    } catch {
      sendJson(res, 400, { ok: false, error: 'invalid_payload' });
      return;
    }
    const fault = takeFault('response_url', body);
    if (fault && 'delayMs' in fault) {
      await sleep(fault.delayMs);
      if (closed) return;
    } else if (fault && answerFault(res, fault)) {
      return;
    }
    // Slack: "You can use a response_url up to five times within 30 minutes."
    const uses = (responseUseCounts.get(id) ?? 0) + 1;
    responseUseCounts.set(id, uses);
    if (uses > 5) {
      sendJson(res, 404, { ok: false, error: 'used_url' });
      return;
    }
    // Slack validates a response_url's blocks like chat.postMessage's (an HTTP 400 with the error).
    const refusal = checkMessageBlocks(Array.isArray(body.blocks) ? body.blocks : undefined, { countText: true });
    if (refusal) {
      sendJson(res, 400, {
        ok: false,
        error: refusal.error,
        ...(refusal.messages.length > 0 ? { response_metadata: { messages: refusal.messages } } : {}),
      });
      return;
    }
    responses.push({ id, body, at: Date.now(), connection: connectionNumbers.get(req.socket) ?? 0 });
    applyResponse(id, body);
    sendJson(res, 200, { ok: true });
    notifyWaiters();
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    readBody(req)
      .then(async (raw) => {
        const api = /^\/api\/([A-Za-z0-9._]+)$/.exec(url.pathname);
        const response = /^\/response\/([^/]+)$/.exec(url.pathname);
        if (api?.[1] && (req.method === 'POST' || req.method === 'GET')) {
          await handleApi(req, res, api[1], raw, url.searchParams);
        } else if (response?.[1] && req.method === 'POST') {
          await handleResponseUrl(req, res, decodeURIComponent(response[1]), raw);
        } else {
          sendJson(res, 404, { ok: false, error: 'not_found' });
        }
      })
      .catch((error: unknown) => {
        sendJson(res, 500, { ok: false, error: 'fake_slack_internal_error', detail: String(error) });
      });
  });

  const connectionNumbers = new WeakMap<object, number>();
  let connectionsAccepted = 0;
  server.on('connection', (socket) => {
    connectionsAccepted += 1;
    connectionNumbers.set(socket, connectionsAccepted);
  });
  const baseUrl = await listenOnLoopback(server);

  const fake: FakeSlack = {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    botToken,
    botUserId,
    botId,
    teamId,
    appId,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    reset: () => {
      calls.length = 0;
      responses.length = 0;
      messages = [];
      ephemerals = [];
      views.clear();
      modalIds = [];
      homeViewIds.clear();
      usedTriggerIds.clear();
      openedDms.clear();
      responseOrigins.clear();
      responseUseCounts.clear();
      faults.clear();
    },

    addUser,
    addUsergroup: (id, userIds, groupOptions = {}) => {
      usergroups.set(id, { userIds: [...userIds], handle: groupOptions.handle ?? id.toLowerCase(), name: groupOptions.name ?? id });
    },
    dmChannelFor,

    addChannel: (channel) => {
      channels.set(channel.id, {
        id: channel.id,
        name: channel.name.replace(/^#/, ''),
        isPrivate: channel.isPrivate ?? false,
        botIsMember: channel.botIsMember ?? true,
      });
    },
    inviteBot: (channel) => {
      requireChannel(channel).botIsMember = true;
    },
    removeBotFrom: (channel) => {
      requireChannel(channel).botIsMember = false;
    },
    botIsIn: (channel) => findChannel(channel)?.botIsMember ?? false,
    hasChannel: (channel) => findChannel(channel) !== undefined,

    get messages() {
      return [...messages];
    },
    messagesIn: (channel, filter = {}) =>
      messages.filter(
        (m) => m.channel === channel && (filter.threadTs === undefined || m.thread_ts === filter.threadTs || m.ts === filter.threadTs),
      ),
    get ephemerals() {
      return [...ephemerals];
    },
    ephemeralsFor: (userId) => ephemerals.filter((e) => e.user === userId),
    get modals() {
      return modalIds.map((id) => views.get(id)).filter((v): v is FakeSlackView => v !== undefined);
    },
    view: (viewId) => views.get(viewId),
    get publishedViews() {
      const result = new Map<string, FakeSlackView>();
      for (const [userId, viewId] of homeViewIds) {
        const view = views.get(viewId);
        if (view) result.set(userId, view);
      }
      return result;
    },
    publishedView: (userId) => {
      const viewId = homeViewIds.get(userId);
      return viewId ? views.get(viewId) : undefined;
    },

    responseUrl: (id, origin) => {
      const responseId = id ?? nextId('R');
      if (origin) responseOrigins.set(responseId, origin);
      return `${baseUrl}/response/${encodeURIComponent(responseId)}`;
    },
    responses,
    responsesTo: (id) => responses.filter((r) => r.id === id),

    waitForResponses: (count, timeoutMs = 5000) =>
      waitFor(
        () => responses.length >= count,
        () => [...responses],
        timeoutMs,
        () => `waiting for ${count} response_url POST(s); got ${responses.length}`,
      ),
    waitForCalls: (method, count, timeoutMs = 5000) =>
      waitFor(
        () => fake.callsTo(method).length >= count,
        () => fake.callsTo(method),
        timeoutMs,
        () =>
          `waiting for ${count} call(s) to ${method}; got ${fake.callsTo(method).length}` +
          ` (all calls: ${calls.map((c) => c.method).join(', ') || 'none'})`,
      ),

    failNext: (method, fault, failOptions = {}) => {
      const times = failOptions.times ?? 1;
      const queue = faults.get(method) ?? [];
      for (let i = 0; i < times; i += 1) queue.push({ fault, ...(failOptions.when ? { when: failOptions.when } : {}) });
      faults.set(method, queue);
    },
    rateLimitStorm: (method, storm) => {
      fake.failNext(method, { rateLimited: { retryAfterSeconds: storm.retryAfterSeconds } }, { times: storm.count });
    },
    pendingFaults: (method) => faults.get(method)?.length ?? 0,
    clearFaults: () => faults.clear(),
    serveAppLevelMethod: (method, appToken, handler) => {
      appLevelMethods.set(method, { appToken, handler });
    },

    close: async () => {
      if (closed) return;
      closed = true;
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error('fake Slack was closed while a test was waiting on it'));
      }
      waiters.clear();
      await closeServer(server);
    },
  };
  return fake;
}
