/**
 * The baseline: a Bolt app with nothing but a `/release` listener that acks,
 * behind Bolt's own HTTPReceiver, on a loopback HTTP server. What the bot's
 * ack costs above this is the bot's own doing.
 */
import http from 'node:http';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { closeServer, listenOnLoopback } from '../test/support/http';

export interface BareBolt {
  url: string;
  /** Where Slack's requests go. */
  eventsUrl: string;
  /** `/release` commands its listener acked. */
  acked(): number;
  close(): Promise<void>;
}

export async function startBareBolt(options: { signingSecret: string; botToken: string; slackApiUrl: string }): Promise<BareBolt> {
  const { signingSecret, botToken, slackApiUrl } = options;
  const receiver = new HTTPReceiver({ signingSecret, logLevel: LogLevel.ERROR });
  const app = new App({
    receiver,
    token: botToken,
    clientOptions: { slackApiUrl },
    // Bolt's default console logger would write INFO lines to stdout (the JSON report lives there).
    logLevel: LogLevel.ERROR,
  });
  let acked = 0;
  app.command('/release', async ({ ack }) => {
    await ack();
    acked += 1;
  });
  const server = http.createServer(receiver.requestListener);
  const url = await listenOnLoopback(server);
  return {
    url,
    eventsUrl: `${url}/slack/events`,
    acked: () => acked,
    close: () => closeServer(server),
  };
}
