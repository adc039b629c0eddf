/**
 * The whole bot, started as in production (config, database, migrations, HTTP
 * server, Bolt), against real PostgreSQL (a fresh schema), a fake Slack and a
 * fake GitHub on loopback, with a clock the test controls. Requests arrive
 * signed, through the real HTTP server.
 */
/// <reference types="jest" />
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { GitRepositories } from '../../src/git';
import { startBot, type RunningBot } from '../../src/main';
import type { Logger } from '../../src/logger';
import type { AcksFirstOptions } from '../../src/server/acks-first';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';
import { createSlackRequestSender, type SlackRequestSender } from '../fakes/slack-client';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import type { FakeSocketMode } from '../fakes/slack-socket';
import { createSocketModeSender } from '../fakes/slack-socket-sender';
import { dropSchema, freshSchemaName, silentLogger, urlForSchema } from './database';

export const SIGNING_SECRET = 'harness-signing-secret';

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(private current: Date) {}
  now = (): Date => new Date(this.current);
  set(instant: Date | string): void {
    this.current = new Date(instant);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface Harness {
  bot: RunningBot;
  slack: FakeSlack;
  github: FakeGitHub;
  sender: SlackRequestSender;
  clock: FakeClock;
  schema: string;
  close(): Promise<void>;
}

/** The environment that points the bot at the fakes and at a schema of the test database. */
export function fakesEnv(options: { slack: FakeSlack; github: FakeGitHub; schema: string }): Record<string, string> {
  const { slack, github } = options;
  return {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    GITHUB_TOKEN: github.token,
    GITHUB_API_URL: github.url,
    DATABASE_URL: urlForSchema(options.schema),
  };
}

/**
 * The team's announcement channel exists on the fake Slack with the bot in it (as after `/invite @release-conductor`),
 * unless the test set it up itself; a test takes the bot out with `slack.removeBotFrom(channel)`.
 */
function joinAnnouncementChannel(slack: FakeSlack, settings: Record<string, unknown> | undefined): void {
  const setting = typeof settings?.announcementChannel === 'string' ? settings.announcementChannel : '#fxa-team';
  if (slack.hasChannel(setting)) return;
  if (setting.startsWith('#')) slack.addChannel({ id: 'C0FXATEAM0', name: setting.slice(1) });
  else slack.addChannel({ id: setting, name: 'fxa-team' });
}

export type HarnessOptions = NonNullable<Parameters<typeof startHarness>[0]>;

export async function startHarness(
  options: {
    /** Settings file contents (defaults: FxA). */
    settings?: Record<string, unknown>;
    now?: string;
    /** Share the database (a second replica); otherwise a fresh schema. */
    schema?: string;
    slack?: FakeSlack;
    github?: FakeGitHub;
    githubTimeoutMs?: number;
    /** Start the scheduler (its catch-up tick and minute tick); default false: tests tick by hand. */
    runScheduler?: boolean;
    instanceId?: string;
    /** More environment variables (e.g. GITHUB_WEBHOOK_SECRET). */
    env?: Record<string, string>;
    /** How follow-up work lets acks go first (default: the bot's). */
    acksFirst?: AcksFirstOptions;
    /**
     * Socket Mode instead of HTTP: the bot connects to this fake socket (served by `slack`, which must then be
     * given too) with its app token and no signing secret, and `sender` delivers over it (test/fakes/slack-socket.ts).
     */
    socketMode?: FakeSocketMode;
    /** Wraps the bot's git adapter (faults, another git binary). */
    wrapGit?: (git: GitRepositories) => GitRepositories;
    /** The bot's logger (default: silent), e.g. `captureLogs({ level: 'info' }).logger` to read what it logs. */
    logger?: Logger;
  } = {},
): Promise<Harness> {
  if (options.socketMode && !options.slack) throw new Error('startHarness: give socketMode with the fake Slack that serves it (slack)');
  const slack = options.slack ?? (await startFakeSlack());
  const github = options.github ?? (await startFakeGitHub());
  const schema = options.schema ?? freshSchemaName('e2e');
  const dir = mkdtempSync(path.join(tmpdir(), 'conductor-harness-'));
  const configPath = path.join(dir, 'conductor.yml');
  // Nothing reaches the internet: unless a test gives its own remote, git's is a local path that does not exist
  // (the default would be https://github.com/mozilla/fxa.git), so a git operation fails at once.
  writeFileSync(configPath, stringify({ gitRemoteUrl: path.join(dir, 'no-remote.git'), ...options.settings }));
  joinAnnouncementChannel(slack, options.settings);
  const clock = new FakeClock(new Date(options.now ?? '2026-11-02T17:00:00Z'));
  // What the fake GitHub creates by itself (runs started by a dispatch) is dated by the test's clock.
  if (!options.github) github.now = clock.now;
  const bot = await startBot({
    env: {
      ...fakesEnv({ slack, github, schema }),
      CONDUCTOR_CONFIG: configPath,
      PORT: '0',
      DATA_DIR: dir,
      ...(options.socketMode ? { SLACK_APP_TOKEN: options.socketMode.appToken, SLACK_SIGNING_SECRET: undefined } : {}),
      ...options.env,
    },
    logger: options.logger ?? silentLogger,
    host: '127.0.0.1',
    now: clock.now,
    tuning: {
      github: { requestTimeoutMs: options.githubTimeoutMs ?? 3000, retry: { retries: 1, minRetryAfterMs: 20 } },
      slackRetry: { retries: 3, factor: 1, minTimeout: 10, maxTimeout: 50 },
      runScheduler: options.runScheduler ?? false,
      ...(options.instanceId ? { instanceId: options.instanceId } : {}),
      ...(options.acksFirst ? { acksFirst: options.acksFirst } : {}),
      ...(options.wrapGit ? { wrapGit: options.wrapGit } : {}),
    },
  });
  const httpSender = createSlackRequestSender({
    eventsUrl: `${bot.url}/slack/events`,
    signingSecret: SIGNING_SECRET,
    responseUrlFor: slack.responseUrl.bind(slack),
    teamId: slack.teamId,
    apiAppId: slack.appId,
  });
  const sender = options.socketMode ? createSocketModeSender(options.socketMode, httpSender) : httpSender;
  return {
    bot,
    slack,
    github,
    sender,
    clock,
    schema,
    async close() {
      await bot.stop();
      if (!options.slack) await slack.close();
      if (!options.github) await github.close();
      if (!options.schema) await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One harness for every test of the enclosing `describe`: started (then `arrange`d) in a beforeAll, closed
 * in an afterAll. The value returned stands for it from that beforeAll on; reading it earlier throws.
 * `options` may be a function, for options known only once earlier hooks have run.
 */
export function harnessForAll(options: HarnessOptions | (() => HarnessOptions) = {}, arrange?: (h: Harness) => unknown): Harness {
  let current: Harness | undefined;
  const started = (): Harness => {
    if (!current) throw new Error('harnessForAll: the harness starts in beforeAll; use it in a test or in a later hook');
    return current;
  };
  beforeAll(async () => {
    current = await startHarness(typeof options === 'function' ? options() : options);
    await arrange?.(current);
  });
  afterAll(async () => {
    await current?.close();
  });
  return {
    get bot() {
      return started().bot;
    },
    get slack() {
      return started().slack;
    },
    get github() {
      return started().github;
    },
    get sender() {
      return started().sender;
    },
    get clock() {
      return started().clock;
    },
    get schema() {
      return started().schema;
    },
    close: () => started().close(),
  };
}
