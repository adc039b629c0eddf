/**
 * Registers the features on Bolt: one global middleware that takes every
 * payload (the `/release` command, buttons, selects, modal submissions, the
 * App Home event) to the listener of its id, through the tables merged from
 * every feature. An id claimed by two features is refused at start; an id no
 * feature has (a button of an older version, an altered payload) is acked
 * and answered as such.
 *
 * Why one middleware and no Bolt listener: Bolt runs the middleware chain of
 * every registered listener for every request it receives. With a listener
 * per button that was twenty-odd promise chains per request; with one per
 * kind of payload it was still seven, about a tenth of the bot's ack at a
 * burst of `/release status` (`npm run bench`, bot process beside bare Bolt,
 * whose one listener is all it runs). Dispatching here costs one map lookup,
 * however many features are added.
 */
import type {
  AllMiddlewareArgs,
  AnyMiddlewareArgs,
  App,
  BlockAction,
  BlockButtonAction,
  BlockStaticSelectAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import { releaseCommand, replayCommand, withHelp } from '../commands/release-command';
import type { Subcommand } from '../commands/router';
import type { AppDeps } from '../deps';
import type { AppHomeOpenedListener, ButtonArgs, ButtonListener, Feature, ListenerFactory, SelectListener, ViewListener } from '../feature';
import { afterAck } from './after-ack';
import { section } from './blocks';
import { type IntentReplayers, responderFor, runDurably } from './intents';

/** What the clicker of a button the bot does not know (from an older version, or altered) is told. */
export const UNKNOWN_BUTTON_TEXT =
  'This button is no longer in use (it is from an older version of release-conductor, or the message was altered), so nothing was done. `/release help` lists what I do now.';

/** What a modal the bot does not know shows once submitted. */
export const UNKNOWN_FORM_TEXT =
  'This form is no longer in use (it is from an older version of release-conductor, or it was altered), so nothing was saved. `/release help` lists what I do now.';

type Args<T> = T & AllMiddlewareArgs;

/** A button or menu the bot does not know: acked at once and logged; the clicker is told, ephemerally, when Slack gave a response_url. */
async function answerUnknownAction(
  deps: AppDeps,
  { ack, body, action, respond }: Args<SlackActionMiddlewareArgs<BlockAction>>,
): Promise<void> {
  await ack();
  const logger = deps.logger.child({ module: 'slack' });
  logger.warn({ actionId: action.action_id, user: body.user.id }, 'a button or menu the bot does not know was used: acked, nothing done');
  if (body.response_url) {
    afterAck({ inFlight: deps.inFlight, logger, reply: respond }, () =>
      respond({ response_type: 'ephemeral', replace_original: false, text: `:warning: ${UNKNOWN_BUTTON_TEXT}` }),
    );
  }
}

/** A modal the bot does not know: acked with a view that says so (Slack would show an error after 3 s), and logged. */
async function answerUnknownView(deps: AppDeps, { ack, body, view }: Args<SlackViewMiddlewareArgs<ViewSubmitAction>>): Promise<void> {
  deps.logger
    .child({ module: 'slack' })
    .warn({ callbackId: view.callback_id, user: body.user.id }, 'a modal the bot does not know was submitted: acked, nothing saved');
  await ack({
    response_action: 'update',
    view: {
      type: 'modal',
      title: { type: 'plain_text', text: 'release-conductor' },
      close: { type: 'plain_text', text: 'Close' },
      blocks: [section(UNKNOWN_FORM_TEXT)],
    },
  });
}

/** One table of a kind, merged from every feature: an id two features claim is a mistake found at start. */
export function mergeTables<L>(options: {
  kind: string;
  features: readonly Feature[];
  pick: (feature: Feature) => Readonly<Record<string, ListenerFactory<L>>> | undefined;
  deps: AppDeps;
}): Map<string, L> {
  const table = new Map<string, L>();
  const owner = new Map<string, string>();
  for (const feature of options.features) {
    for (const [id, factory] of Object.entries(options.pick(feature) ?? {})) {
      const first = owner.get(id);
      if (first !== undefined) throw new Error(`${options.kind} id "${id}" is registered by both ${first} and ${feature.name}`);
      owner.set(id, feature.name);
      table.set(id, factory(options.deps));
    }
  }
  return table;
}

/** A button's intent key: Slack re-sends the same payload (same action_ts) when it retries. */
const buttonKey = ({ action, body }: Pick<ButtonArgs, 'action' | 'body'>) =>
  `button:${action.action_id}:${action.action_ts}:${body.user.id}`;

/** A button payload read back from its intent (the fields the listeners use). */
function isButtonBody(value: unknown): value is BlockButtonAction {
  if (typeof value !== 'object' || value === null) return false;
  const body: { type?: unknown; user?: { id?: unknown }; actions?: unknown } = value;
  return body.type === 'block_actions' && typeof body.user?.id === 'string' && Array.isArray(body.actions) && body.actions.length > 0;
}

/** Wraps a mutating button's listener: its click is recorded as a durable intent before the ack (intents.ts). */
function durableButton(deps: AppDeps, listener: ButtonListener): ButtonListener {
  return (args) =>
    runDurably(
      { deps, key: buttonKey(args), kind: 'button', payload: args.body },
      () => args.ack(),
      (ack, intent) => listener({ ...args, ack, respond: intent.answerOnce(args.respond) }),
    );
}

/** The slash command the bot answers (manifest.yml declares it). */
export const RELEASE_COMMAND = '/release';

/** What the bot answers, from the features' tables: what manifest.yml must declare (test/slack/manifest.test.ts). */
export interface Registrations {
  commands: string[];
  events: string[];
  buttons: string[];
  selects: string[];
  views: string[];
}

function isCommand(args: Args<AnyMiddlewareArgs>): args is Args<SlackCommandMiddlewareArgs> {
  return 'command' in args && args.command !== undefined;
}

function isBlockAction(args: Args<AnyMiddlewareArgs>): args is Args<SlackActionMiddlewareArgs<BlockAction>> {
  return 'action' in args && args.action !== undefined && args.body.type === 'block_actions';
}

function isButton(args: Args<SlackActionMiddlewareArgs<BlockAction>>): args is Args<SlackActionMiddlewareArgs<BlockButtonAction>> {
  return args.action.type === 'button';
}

function isStaticSelect(
  args: Args<SlackActionMiddlewareArgs<BlockAction>>,
): args is Args<SlackActionMiddlewareArgs<BlockStaticSelectAction>> {
  return args.action.type === 'static_select';
}

function isViewSubmission(args: Args<AnyMiddlewareArgs>): args is Args<SlackViewMiddlewareArgs<ViewSubmitAction>> {
  return 'view' in args && args.view !== undefined && args.body.type === 'view_submission';
}

function isAppHomeOpened(args: Args<AnyMiddlewareArgs>): args is Args<SlackEventMiddlewareArgs<'app_home_opened'>> {
  return 'event' in args && args.event !== undefined && args.event.type === 'app_home_opened';
}

/** Registers every feature on `app` (one global middleware, no Bolt listener); returns how to run again the intents of its durable requests, and what it answers. */
export function registerFeatures(
  app: App,
  deps: AppDeps,
  features: readonly Feature[],
): { replayers: IntentReplayers; registered: Registrations } {
  const subcommands: Subcommand[] = [];
  const subcommandOwner = new Map<string, string>([['help', 'the router']]);
  for (const feature of features) {
    for (const create of feature.subcommands ?? []) {
      const subcommand = create(deps);
      const first = subcommandOwner.get(subcommand.name);
      if (first !== undefined) throw new Error(`subcommand "${subcommand.name}" is registered by both ${first} and ${feature.name}`);
      subcommandOwner.set(subcommand.name, feature.name);
      subcommands.push(subcommand);
    }
  }
  const allSubcommands = withHelp(subcommands);
  const command = releaseCommand(deps, allSubcommands);

  const buttons = mergeTables<ButtonListener>({ kind: 'button', features, pick: (f) => f.buttons, deps });
  // The durable buttons' own listeners (a replay runs them as they are); a click gets them wrapped.
  const durableButtons = new Map<string, ButtonListener>();
  for (const feature of features) {
    for (const id of feature.durableButtons ?? []) {
      const listener = buttons.get(id);
      if (!listener) throw new Error(`durable button "${id}" of ${feature.name} has no listener`);
      durableButtons.set(id, listener);
      buttons.set(id, durableButton(deps, listener));
    }
  }
  const selects = mergeTables<SelectListener>({ kind: 'select', features, pick: (f) => f.selects, deps });
  for (const id of selects.keys()) {
    if (buttons.has(id)) throw new Error(`action id "${id}" is registered as both a button and a select`);
  }
  const views = mergeTables<ViewListener>({ kind: 'view', features, pick: (f) => f.views, deps });
  const homes = mergeTables<AppHomeOpenedListener>({
    kind: 'event',
    features,
    pick: (f) => (f.events?.app_home_opened ? { app_home_opened: f.events.app_home_opened } : undefined),
    deps,
  });
  const home = homes.get('app_home_opened');
  const logger = deps.logger.child({ module: 'slack' });

  // Bolt's own global middleware (its self-event filter) runs first; nothing runs after this one.
  app.use(async (args) => {
    if (isCommand(args)) {
      if (args.command.command === RELEASE_COMMAND) return command(args);
      await args.ack();
      logger.warn({ command: args.command.command }, 'a slash command the bot does not answer: acked, nothing done');
      return;
    }
    if (isBlockAction(args)) {
      const id = args.action.action_id;
      if (isButton(args)) {
        const button = buttons.get(id);
        if (button) return button(args);
      } else if (isStaticSelect(args)) {
        const select = selects.get(id);
        if (select) return select(args);
      }
      return answerUnknownAction(deps, args);
    }
    if (isViewSubmission(args)) {
      const view = views.get(args.view.callback_id);
      return view ? view(args) : answerUnknownView(deps, args);
    }
    if (isAppHomeOpened(args)) {
      if (home) await home(args);
      return;
    }
    // Anything else (a modal closed, an options request, a shortcut) is acked so that Slack shows no error; events Bolt acked already.
    if ('ack' in args && typeof args.ack === 'function') await args.ack();
  });

  app.error(async (error) => {
    deps.logger.error({ err: error }, 'unhandled error in a Slack listener');
  });

  const replayers: IntentReplayers = {
    command: replayCommand(deps, allSubcommands),
    async button(payload) {
      if (!isButtonBody(payload)) throw new Error('a button intent without a block_actions payload');
      const action = payload.actions.find((a) => durableButtons.has(a.action_id)) ?? payload.actions[0];
      const listener = action ? durableButtons.get(action.action_id) : undefined;
      if (!action || !listener) throw new Error(`a button intent for a button that is not durable (${action?.action_id})`);
      if (!payload.response_url) throw new Error('a button intent without a response_url');
      await runDurably(
        { deps, key: buttonKey({ action, body: payload }), kind: 'button', payload, replay: true },
        async () => undefined,
        (ack, intent) =>
          listener({ ack, body: payload, action, respond: intent.answerOnce(responderFor(payload.response_url)), client: deps.slack }),
      );
    },
  };
  const registered: Registrations = {
    commands: [RELEASE_COMMAND],
    events: home ? ['app_home_opened'] : [],
    buttons: [...buttons.keys()],
    selects: [...selects.keys()],
    views: [...views.keys()],
  };
  return { replayers, registered };
}
