/**
 * The check of the announcement channel: is the bot in it? Run at start-up
 * and every few minutes (conversations.info, scope channels:read; a `#name`
 * is looked up with conversations.list), never per request; `/readyz`
 * reports its result as a warning (see README, "Readiness"). What the bot
 * says when a post is refused is in not-invited.ts.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger';
import { slackErrorCode } from './messenger';
import { BOT_HANDLE } from './not-invited';

/** How often the announcement channel is checked again after start-up. */
export const CHANNEL_CHECK_INTERVAL_MS = 5 * 60_000;

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
          const code = slackErrorCode(error);
          const text =
            code === 'channel_not_found'
              ? `${where} not found: it does not exist, or it is private and the bot was not added (/invite ${BOT_HANDLE} in it)`
              : code === 'missing_scope'
                ? `${where} cannot be checked: the app lacks the channels:read scope (reinstall it from manifest.yml; a private channel also needs groups:read)`
                : `${where} could not be checked: ${code ?? (error instanceof Error ? error.message : String(error))}`;
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
