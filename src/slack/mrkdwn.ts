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

/**
 * Text a person typed in Slack (a deploy note, a question), escaped, with the
 * Slack tokens Slack put into it shown as what they name, deliberately: a
 * mention `<@U…|alice>` as "@alice" (a note read out at the cutoff pings
 * nobody), a channel `<#C…|general>` as "#general", a link as its address.
 * `<!channel>` and the like stay inert text.
 */
export function escapeTyped(text: string): string {
  return text
    .split(/(<[^<>]*>)/)
    .map((piece) => {
      const token = /^<([@#])([A-Z0-9]+)(?:\|([^<>]*))?>$/i.exec(piece);
      if (token) return escapeMrkdwn(`${token[1]}${token[3] || token[2]}`);
      const url = /^<(https?:\/\/[^|<>]+)(?:\|[^<>]*)?>$/i.exec(piece);
      if (url) return escapeMrkdwn(url[1] ?? '');
      return escapeMrkdwn(piece);
    })
    .join('');
}

/**
 * A command as people type it, in a code span: placeholders such as `<text>`
 * are escaped, because Slack reads `<…>` as a link even inside backticks.
 */
export function literal(text: string): string {
  return `\`${escapeMrkdwn(text)}\``;
}

/**
 * The pieces mrkdwn must never be cut inside: a Slack token (`<url|label>`,
 * `<@U…>`, `<!date^…>`), an entity (`&amp;`), an emoji code (`:tada:`); any
 * other code point on its own.
 */
const ATOM = /<[^<>]*>|&(?:#\d+|#x[0-9a-f]+|[a-z]+);|:[a-z0-9_+'-]+:|[\s\S]/giu;

/**
 * `text` cut to at most `limit` characters, ending with `…`, never inside a
 * token, an entity or an emoji code (and never between the halves of a
 * surrogate pair). Text within the limit is returned as it is.
 */
export function clipMrkdwn(text: string, limit: number, ellipsis = '…'): string {
  if (text.length <= limit) return text;
  const room = limit - ellipsis.length;
  let end = 0;
  for (const match of text.matchAll(ATOM)) {
    const stop = match.index + match[0].length;
    if (stop > room) break;
    end = stop;
  }
  return `${text.slice(0, end).trimEnd()}${ellipsis}`;
}

/**
 * Who did something, in a thread notice about their own click: their name
 * when known (they know what they clicked; a mention would notify them), else
 * a mention.
 */
export function actorText(actor: { actor: string; actorName?: string }): string {
  return actor.actorName !== undefined ? escapeTyped(actor.actorName) : mentionUser(actor.actor);
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
