/** Sends `/release <text>` as `userId` from `channelId` and returns the answer's text (and blocks, as JSON). */
import type { Harness } from './harness';

export async function commandFrom(h: Harness, userId: string, text: string, channelId: string): Promise<string> {
  const before = h.slack.responses.length;
  const response = await h.sender.sendSlashCommand({ text, userId, channelId });
  if (response.status !== 200) throw new Error(`the bot answered HTTP ${response.status}`);
  // Real git runs behind some answers, on a shared machine.
  await h.slack.waitForResponses(before + 1, 60_000);
  const body = h.slack.responses[before]?.body ?? {};
  return `${String(body.text ?? '')}${body.blocks ? JSON.stringify(body.blocks) : ''}`;
}
