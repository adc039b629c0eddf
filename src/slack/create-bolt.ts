/**
 * Builds the Bolt app: HTTP mode (Bolt's receiver behind our HTTP server, every
 * request signature-verified) or Socket Mode when an app token is set. Web API
 * calls go to the configured Slack API URL and retry on `ratelimited`.
 */
import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, type Authorize } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Logger } from '../logger';
import { createBoltLogger } from './bolt-logger';
import { guardSlackRequests } from './guard-requests';
import { withResponseUrlPosts } from './response-url';
import { observedClientOptions, type SlackCallObserver } from './web-api-metrics';

export interface BoltOptions {
  botToken: string;
  signingSecret: string | undefined;
  appToken: string | undefined;
  slackApiUrl: string;
  logger: Logger;
  /** Web API retries (tests make them short). */
  retryConfig?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number };
  /** Told of every Web API attempt and retry (web-api-metrics.ts) and of every ack's latency in HTTP mode: the metrics. */
  observer?: SlackCallObserver & { ack: NonNullable<Parameters<typeof guardSlackRequests>[0]['observeAck']> };
}

export interface BoltApp {
  app: App;
  mode: 'http' | 'socket';
  /** In HTTP mode, the listener for `POST /slack/events`. */
  eventsListener: RequestListener | undefined;
  /** The bot's Web API client, for jobs and use cases. */
  client: WebClient;
  /** Asks Slack who the bot is (once; failures are logged and retried on the next request). */
  warmUp(): Promise<void>;
}

/**
 * Bolt's own single-workspace authorization calls `auth.test` in its
 * constructor and leaves the promise unobserved: with Slack unreachable at
 * start, the process dies of an unhandled rejection. This one calls it once,
 * caches the answer, and tries again on the next request after a failure.
 */
function createAuthorize(client: WebClient, botToken: string): { authorize: Authorize<boolean>; warmUp: () => Promise<unknown> } {
  let identity: Promise<{ botId?: string; botUserId?: string; teamId?: string }> | undefined;
  const who = () => {
    identity ??= client.auth.test().then(
      (result) => ({ botId: result.bot_id, botUserId: result.user_id, teamId: result.team_id }),
      (error: unknown) => {
        identity = undefined;
        throw error;
      },
    );
    return identity;
  };
  return {
    authorize: async () => ({ botToken, ...(await who()) }),
    warmUp: who,
  };
}

/** Creates the Bolt app; it makes no request until the first event, `warmUp()` or `start()`. */
export function createBolt(options: BoltOptions): BoltApp {
  const logger = createBoltLogger(options.logger);
  const clientOptions = {
    slackApiUrl: options.slackApiUrl,
    ...observedClientOptions(
      options.observer,
      options.retryConfig ?? { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 30_000 },
      // Bolt's `respond` posts through this fetch too: the answers to response_urls go over pooled node:http(s) (response-url.ts).
      withResponseUrlPosts(globalThis.fetch, options.slackApiUrl),
    ),
    // A 429 with Retry-After is waited out and retried, never dropped.
    rejectRateLimitedCalls: false,
    logger,
  };
  const client = new WebClient(options.botToken, clientOptions);
  const { authorize, warmUp } = createAuthorize(client, options.botToken);
  const warm = async () => {
    try {
      await warmUp();
    } catch (error) {
      options.logger.warn({ err: error }, 'Slack did not answer auth.test yet; will ask again on the next request');
    }
  };
  if (options.appToken) {
    // Bolt hands clientOptions (the API URL, retries) to its SocketModeReceiver, so apps.connections.open goes to SLACK_API_URL too.
    const app = new App({ authorize, appToken: options.appToken, socketMode: true, logger, clientOptions, convoStore: false });
    return { app, mode: 'socket', eventsListener: undefined, client, warmUp: warm };
  }
  if (!options.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required in HTTP mode');
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    logger,
    // Ack as soon as the listener calls ack(); the answer follows through response_url.
    processBeforeResponse: false,
    // The one way in is `eventsListener` below, whose guard has checked the signature over these same raw bytes
    // (and the timestamp both ways, which Bolt does not): a second HMAC per request would check nothing more.
    signatureVerification: false,
  });
  // convoStore: false: Bolt's conversation store middleware runs on every request and the bot does not use it.
  const app = new App({ authorize, receiver, logger, clientOptions, convoStore: false });
  // Signature headers, timestamp window, body limit, signature and payload shape are checked before Bolt reads the request (guard-requests.ts).
  const eventsListener = guardSlackRequests({
    listener: receiver.requestListener,
    logger: options.logger,
    signingSecret: options.signingSecret,
    observeAck: options.observer?.ack,
  });
  return { app, mode: 'http', eventsListener, client, warmUp: warm };
}
