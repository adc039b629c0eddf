/**
 * Builds the Bolt app: HTTP mode (Bolt's receiver behind our HTTP server, every
 * request signature-verified) or Socket Mode when an app token is set. Web API
 * calls go to the configured Slack API URL and retry on `ratelimited`.
 */
import type { RequestListener } from 'node:http';
import { App, HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../logger';
import { createBoltLogger } from './bolt-logger';

export interface BoltOptions {
  botToken: string;
  signingSecret: string | undefined;
  appToken: string | undefined;
  slackApiUrl: string;
  logger: Logger;
  /** Web API retries (tests make them short). */
  retryConfig?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number };
}

export interface BoltApp {
  app: App;
  mode: 'http' | 'socket';
  /** In HTTP mode, the listener for `POST /slack/events`. */
  eventsListener: RequestListener | undefined;
}

/** Creates the Bolt app; it makes no request until the first event or `start()`. */
export function createBolt(options: BoltOptions): BoltApp {
  const logger = createBoltLogger(options.logger);
  const clientOptions = {
    slackApiUrl: options.slackApiUrl,
    retryConfig: options.retryConfig ?? { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 30_000 },
    // A 429 with Retry-After is waited out and retried, never dropped.
    rejectRateLimitedCalls: false,
  };
  if (options.appToken) {
    const app = new App({
      token: options.botToken,
      appToken: options.appToken,
      socketMode: true,
      logger,
      clientOptions,
    });
    return { app, mode: 'socket', eventsListener: undefined };
  }
  if (!options.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required in HTTP mode');
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    logger,
    // Ack as soon as the listener calls ack(); the answer follows through response_url.
    processBeforeResponse: false,
  });
  const app = new App({ token: options.botToken, receiver, logger, clientOptions });
  return { app, mode: 'http', eventsListener: receiver.requestListener };
}
