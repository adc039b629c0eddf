/**
 * Slack mrkdwn helpers. Text that a user typed (or that came from GitHub) is
 * escaped before it goes into a message, so it cannot mention `@channel`,
 * ping people or forge links.
 */

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
