/**
 * A Feature: what one feature folder adds to the bot. Each feature's
 * `index.ts` exports one; `app.ts` lists them, and src/slack/register.ts
 * merges their tables and dispatches every payload by its id (refusing an
 * id claimed twice). Adding a subcommand, a button or a job touches only its
 * feature's folder. Type-only.
 */
import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  RespondArguments,
  BlockStaticSelectAction,
  SlackActionMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { Subcommand } from './commands/router';
import type { AppDeps } from './deps';
import type { GitHubEvent } from './github/webhooks';
import type { ScheduledJob } from './scheduler';

/**
 * What a button's listener may use of Bolt's arguments (a replayed intent, src/slack/intents.ts, gives just these).
 * `respond` resolves to nothing useful: a durable button's answer may be skipped (an earlier attempt posted it).
 */
export type ButtonArgs = Pick<SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs, 'ack' | 'body' | 'action' | 'client'> & {
  respond: (message: string | RespondArguments) => Promise<unknown>;
};
export type ButtonListener = (args: ButtonArgs) => Promise<void>;
export type SelectListener = (args: SlackActionMiddlewareArgs<BlockStaticSelectAction> & AllMiddlewareArgs) => Promise<void>;
export type ViewListener = (args: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => Promise<void>;
export type AppHomeOpenedListener = (args: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => Promise<void>;

/** Builds a listener from the app's dependencies (called once, at start). */
export type ListenerFactory<L> = (deps: AppDeps) => L;

export interface Feature {
  /** The folder's name, for logs and the registry's refusals. */
  name: string;
  /** `/release` subcommands, in the order `help` lists them. */
  subcommands?: Array<(deps: AppDeps) => Subcommand>;
  /** Buttons, by action_id. */
  buttons?: Readonly<Record<string, ListenerFactory<ButtonListener>>>;
  /**
   * The buttons (action_ids) whose click changes something: recorded as a durable intent before the ack,
   * finished by a restarted replica if this one dies (src/slack/intents.ts). The others pay nothing.
   */
  durableButtons?: readonly string[];
  /** Static selects, by action_id. */
  selects?: Readonly<Record<string, ListenerFactory<SelectListener>>>;
  /** Modal submissions, by callback_id. */
  views?: Readonly<Record<string, ListenerFactory<ViewListener>>>;
  /** Events API events the feature answers. */
  events?: { app_home_opened?: ListenerFactory<AppHomeOpenedListener> };
  /** GitHub webhook events, each delivery handled once (app.ts claims it first). */
  githubEvents?: (options: { deps: AppDeps; event: GitHubEvent; now: Date }) => Promise<unknown>;
  /** Scheduled jobs, exactly once across replicas (see src/scheduler). */
  jobs?: (deps: Pick<AppDeps, 'calendar' | 'config'>) => Array<ScheduledJob<AppDeps>>;
}
