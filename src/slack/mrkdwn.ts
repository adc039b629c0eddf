/**
 * Slack mrkdwn helpers. Text that a user typed (or that came from GitHub) is
 * escaped before it goes into a message, so it cannot mention `@channel`,
 * ping people or forge links.
 */
import { formatInZone } from '../train/time-format';

/** Escapes `&`, `<` and `>`: Slack's control characters. `<!channel>` and `<@U…>` become inert text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A user mention. */
export function mentionUser(userId: string): string {
  return `<@${userId.replace(/[^A-Z0-9]/gi, '')}>`;
}

/** A channel from the settings: an id (`C…`/`G…`) becomes a channel link, a name is shown as written. */
export function channelLabel(channel: string): string {
  return /^[CG][A-Z0-9]{2,}$/.test(channel) ? `<#${channel}>` : escapeMrkdwn(channel);
}

/** A link whose label is user text: the label is escaped, `|` included. */
export function link(url: string, label: string): string {
  return `<${url.replace(/[<>|]/g, encodeURIComponent)}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

/** Slack date formatting: shown in each reader's own time zone, with a fallback text (escaped). `slackDateToken` checks the format first. */
export function slackDate(instant: Date, format: string, fallback: string): string {
  return `<!date^${Math.floor(instant.getTime() / 1000)}^${format}|${escapeMrkdwn(fallback)}>`;
}

/** The default format of `slackDateToken`: 'Nov 4, 2026 at 10:00 AM' in the viewer's zone and locale. */
export const DEFAULT_SLACK_DATE_FORMAT = '{date_short_pretty} at {time}';

const SLACK_DATE_TOKENS = new Set([
  'date_num',
  'date_slash',
  'date_long',
  'date_long_full',
  'date_long_pretty',
  'date',
  'date_pretty',
  'date_short',
  'date_short_pretty',
  'time',
  'time_secs',
  'ago',
]);

/**
 * A Slack date token, shown in each viewer's own time zone:
 * `<!date^1793815200^{date_short_pretty} at {time}|Wed 4 Nov 2026, 18:00 UTC>`.
 * `format` may mix text with Slack's tokens (`{date_short_pretty}`, `{time}`,
 * `{ago}`, …); `fallback` is what clients that cannot render the token show
 * (default: the instant in UTC), escaped for Slack. Throws `RangeError` for an
 * unknown token or a format containing `^ | < >`.
 */
export function slackDateToken(instant: Date, format: string = DEFAULT_SLACK_DATE_FORMAT, fallback?: string): string {
  if (Number.isNaN(instant.getTime())) throw new RangeError('instant must be a valid Date');
  if (/[\^|<>]/.test(format)) throw new RangeError(`A Slack date format cannot contain ^ | < or >: ${format}`);
  for (const match of format.matchAll(/\{([^{}]*)\}/g)) {
    const token = match[1] ?? '';
    if (!SLACK_DATE_TOKENS.has(token)) throw new RangeError(`Unknown Slack date token {${token}}`);
  }
  return slackDate(instant, format, fallback ?? formatInZone(instant, 'UTC'));
}
