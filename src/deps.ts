/**
 * AppDeps: everything a listener, job or use case may use, built once by
 * `buildApp`. Type-only: it imports adapter types and nothing at run time,
 * so importing it never pulls a feature or `app.ts` in.
 */
import type { WebClient } from '@slack/web-api';
import type { AdminDirectory } from './auth/admins';
import type { Config } from './config';
import type { Database } from './db/database';
import type { GitRepositories, PrivateRepository } from './git';
import type { GitHubClient } from './github/client';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { SlackDirectory } from './slack/directory';
import type { InFlightWork } from './server/in-flight';
import type { Messenger } from './slack/messenger';
import type { TrainCalendar } from './train/calendar';

/** Everything a listener, job or use case may use. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Database;
  github: GitHubClient;
  /** Real git repositories (src/git): a cached partial clone per remote, dot-release steps, forward ports, where. */
  git: GitRepositories;
  /**
   * Issue 16: the private repository of security releases (a clone of its own, its push guard on `git`), its GitHub
   * API and the uplift tracker's; null when `privateRepository` is unset (the feature is off).
   */
  security: { repository: PrivateRepository; github: GitHubClient; tracker: GitHubClient } | null;
  calendar: TrainCalendar;
  /** Work still running after Slack's ack; a graceful stop waits for it. */
  inFlight: InFlightWork;
  /** Who may do privileged things. */
  admins: AdminDirectory;
  /** Whether GitHub's webhooks are configured (`GITHUB_WEBHOOK_SECRET`): then the tag watcher polls GitHub only as a safety net. */
  githubWebhooks: boolean;
  /** The bot's Slack Web API client, for the adapters in src/slack/ (features post through `messenger`). */
  slack: WebClient;
  /** Who a Slack user is, and who has an e-mail address. */
  slackDirectory: SlackDirectory;
  /** The only way features post to Slack: at most once per key, updates, DMs. */
  messenger: Messenger;
  /** This app's Prometheus metrics (its own registry), served at `GET /metrics`. */
  metrics: Metrics;
  /** The clock: real in main, fake in tests. Rules receive its reading as `now`. */
  now: () => Date;
}
