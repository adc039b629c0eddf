/**
 * "Not invited, said clearly": what the bot says when it cannot post in a
 * channel (Slack answers `not_in_channel` for a public channel it was not
 * added to, `channel_not_found` for a private one or a wrong id). The
 * messenger gives the refused message's claim back (the next attempt posts
 * it once the bot is invited), throws `ChannelUnreachableError`, and DMs the
 * admins and the release owner `unreachableNotice`, once per channel, person
 * and day (`unreachableNoticeKey`). `/readyz` reports it through
 * channel-check.ts.
 */
/** The bot's name in Slack (manifest.yml's `bot_user.display_name`), as people type it in `/invite`. */
export const BOT_HANDLE = '@release-conductor';

/** Slack's answers meaning "the bot cannot post in that channel" (as opposed to a bad message or a passing failure). */
export const UNREACHABLE_CHANNEL_ERRORS: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found']);

/** A channel as people see it: a link for an id (Slack shows its name), the name as given otherwise. */
export function channelLink(channel: string): string {
  return /^[CG][A-Z0-9]+$/.test(channel) ? `<#${channel}>` : channel;
}

/** A thrown refusal: the bot is not in `channel`. Passing: the next attempt posts the message once the bot is invited. */
export class ChannelUnreachableError extends Error {
  constructor(
    readonly channel: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Slack refused a post in ${channel} (${code}): the bot is not in that channel. ` +
        `Invite it with \`/invite ${BOT_HANDLE}\` there; the message is posted on the next attempt.`,
      options,
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
