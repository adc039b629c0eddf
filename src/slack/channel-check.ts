/**
 * "Not invited, said clearly": what the bot says and reports when it cannot
 * post in a channel (Slack answers `not_in_channel` for a public channel it was
 * not added to, `channel_not_found` for a private one or a wrong id).
 *
 * - `unreachableNotice`: the DM to the admins and the release owner, saying how
 *   to fix it (`/invite @release-conductor` in the channel). The messenger sends
 *   it once per channel and day (its ledger key), and gives the refused message's
 *   claim back, so the next attempt posts it once the bot is invited.
 * - `createChannelCheck`: the start-up check of the announcement channel
 *   (conversations.info, scope channels:read), repeated every few minutes, whose
 *   result `/readyz` reports as a warning (never per request).
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger';

/** The bot's name in Slack (manifest.yml's `bot_user.display_name`), as people type it in `/invite`. */
export const BOT_HANDLE = '@release-conductor';

/** Slack's answers meaning "the bot cannot post in that channel" (as opposed to a bad message or a passing failure). */
export const UNREACHABLE_CHANNEL_ERRORS: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found']);

/** How often the announcement channel is checked again after start-up. */
export const CHANNEL_CHECK_INTERVAL_MS = 5 * 60_000;

/** A channel as people see it: a link for an id (Slack shows its name), the name as given otherwise. */
export function channelLink(channel: string): string {
  return /^[CG][A-Z0-9]+$/.test(channel) ? `<#${channel}>` : channel;
}

/** A thrown refusal: the bot is not in `channel`. Passing: the next attempt posts the message once the bot is invited. */
export class ChannelUnreachableError extends Error {
  constructor(
    readonly channel: string,
    readonly code: string,
  ) {
    super(
      `Slack refused a post in ${channel} (${code}): the bot is not in that channel. ` +
        `Invite it with \`/invite ${BOT_HANDLE}\` there; the message is posted on the next attempt.`,
    );
    this.name = 'ChannelUnreachableError';
  }
}

/** The DM to the admins and the release owner when the bot could not post in `channel`. */
export function unreachableNotice(channel: string, code: string): { text: string } {
  const where = channelLink(channel);
  const why =
    code === 'not_in_channel'
      ? `I am not a member of ${where}.`
      : `Slack does not let me see ${where} (\`channel_not_found\`): it is private and I was not added, or it does not exist (check \`announcementChannel\` in the settings).`;
  const text =
    `:warning: I could not post in ${where}. ${why} ` +
    `To fix it, type \`/invite ${BOT_HANDLE}\` in ${where}. ` +
    'What I could not post stays queued: I post it on my next attempt once I am in the channel.';
  return { text };
}

/** The ledger key of the notice: once per channel, recipient and day (UTC). */
export function unreachableNoticeKey(channel: string, userId: string, now: Date): string {
  return `slack:unreachable:${channel}:${now.toISOString().slice(0, 10)}:${userId}`;
}

export interface ChannelCheck {
  /** Checks now, then every `intervalMs`; never throws (a failed check is a warning). */
  start(): void;
  /** Runs one check (also what the timer runs); resolves when it is done. */
  check(): Promise<void>;
  /** Stops the timer (a check in flight finishes on its own). */
  stop(): Promise<void>;
  /** What `/readyz` reports: empty while the channel is reachable (or not yet checked). */
  warnings(): string[];
}

/** Resolves `#name` to a channel id through conversations.list (public channels: a private one is given by its id). */
async function resolveChannelId(client: WebClient, channel: string): Promise<string | undefined> {
  if (!channel.startsWith('#')) return channel;
  const name = channel.slice(1);
  let cursor: string | undefined;
  for (let page = 0; page < 50; page += 1) {
    const listed = await client.conversations.list({
      types: 'public_channel',
      exclude_archived: true,
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    const found = listed.channels?.find((c) => c.name === name);
    if (found?.id) return found.id;
    cursor = listed.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

/** The check of the announcement channel for `/readyz`: does the bot's membership let it post there? */
export function createChannelCheck(options: { client: WebClient; channel: string; logger: Logger; intervalMs?: number }): ChannelCheck {
  const { client, channel } = options;
  const logger = options.logger.child({ module: 'channel-check' });
  const where = `announcement channel ${channel}`;
  let warning: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function checkOnce(): Promise<string | undefined> {
    const id = await resolveChannelId(client, channel);
    if (!id) return `${where} not found: it does not exist, or it is private and the bot was not added (/invite ${BOT_HANDLE} in it)`;
    const info = await client.conversations.info({ channel: id });
    if (info.channel?.is_member === false) return `${where} is unreachable: the bot is not in it (/invite ${BOT_HANDLE} in it)`;
    return undefined;
  }

  const check = (): Promise<void> => {
    running ??= checkOnce()
      .then(
        (found) => {
          if (found !== warning) {
            if (found) logger.warn({ channel }, found);
            else if (warning) logger.info({ channel }, `${where} is reachable again`);
          }
          warning = found;
        },
        (error: unknown) => {
          const code = (error as { data?: { error?: unknown } } | null)?.data?.error;
          const text =
            code === 'channel_not_found'
              ? `${where} not found: it does not exist, or it is private and the bot was not added (/invite ${BOT_HANDLE} in it)`
              : code === 'missing_scope'
                ? `${where} cannot be checked: the app lacks the channels:read scope (reinstall it from manifest.yml; a private channel also needs groups:read)`
                : `${where} could not be checked: ${typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)}`;
          if (text !== warning) logger.warn({ err: error, channel }, text);
          warning = text;
        },
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  return {
    start() {
      void check();
      timer ??= setInterval(() => void check(), options.intervalMs ?? CHANNEL_CHECK_INTERVAL_MS);
      timer.unref();
    },
    check,
    // A check in flight is not waited for: Slack's client may be retrying an outage for minutes; it only logs when it ends.
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    warnings: () => (warning ? [warning] : []),
  };
}
