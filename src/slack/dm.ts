/** Direct messages from the bot. */
import type { AppDeps } from '../deps';

/** Opens (or finds) the bot's DM channel with `userId` (conversations.open, scope im:write) and returns its id. */
export async function openDm(deps: Pick<AppDeps, 'slack'>, userId: string): Promise<string> {
  const opened = await deps.slack.conversations.open({ users: userId });
  const channel = opened.channel?.id;
  if (!channel) throw new Error(`Slack opened no DM channel with ${userId}`);
  return channel;
}
