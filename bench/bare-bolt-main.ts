/**
 * Bare Bolt in a process of its own, started by the bot-process section with
 * the same node options as the bot, so that the two are compared like for
 * like. Prints `{"port": N}` on one line once it listens; stops on SIGTERM.
 */
import { startBareBolt } from './bare-bolt';

async function main(): Promise<void> {
  const { SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL } = process.env;
  if (!SLACK_SIGNING_SECRET || !SLACK_BOT_TOKEN || !SLACK_API_URL)
    throw new Error('bare-bolt-main needs SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and SLACK_API_URL');
  const bare = await startBareBolt({ signingSecret: SLACK_SIGNING_SECRET, botToken: SLACK_BOT_TOKEN, slackApiUrl: SLACK_API_URL });
  process.once('SIGTERM', () => {
    bare.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.stdout.write(`${JSON.stringify({ port: Number(new URL(bare.url).port) })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bare-bolt-main: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
