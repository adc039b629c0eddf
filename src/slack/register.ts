/**
 * Registers the features' listeners on Bolt: one Bolt listener per kind of
 * payload (the `/release` command, buttons, selects, modal submissions, the
 * App Home event), dispatching on the payload's id through the table merged
 * from every feature. An id claimed by two features is refused at start.
 *
 * Why one listener per kind: Bolt runs the middleware of every registered
 * listener for every request it receives, a slash command included. With a
 * listener per button that was twenty-odd promise chains per request, the
 * larger part of what the bot's ack cost above a bare Bolt app (see
 * `npm run bench`); with one listener per kind it is one, however many
 * buttons are added.
 */
import type { App, BlockAction, BlockButtonAction, BlockStaticSelectAction, ViewSubmitAction } from '@slack/bolt';
import { releaseCommand, replayCommand, withHelp } from '../commands/release-command';
import type { Subcommand } from '../commands/router';
import type { AppDeps } from '../deps';
import type { AppHomeOpenedListener, ButtonArgs, ButtonListener, Feature, ListenerFactory, SelectListener, ViewListener } from '../feature';
import { afterAck } from './after-ack';
import { section } from './blocks';
import { type IntentReplayers, responderFor, runDurably } from './intents';

/** Matches exactly the given ids (Bolt accepts a RegExp wherever it takes an id). */
export function exactlyOneOf(ids: Iterable<string>): RegExp {
  const escaped = escapeIds(ids);
  if (escaped.length === 0) throw new Error('exactlyOneOf: no ids');
  return new RegExp(`^(?:${escaped.join('|')})$`);
}

/** Matches every id but the given ones (all of them when none is given). */
export function anyIdBut(ids: Iterable<string>): RegExp {
  const escaped = escapeIds(ids);
  return escaped.length === 0 ? /^/ : new RegExp(`^(?!(?:${escaped.join('|')})$)`);
}

function escapeIds(ids: Iterable<string>): string[] {
  return [...ids].map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/** What the clicker of a button the bot does not know (from an older version, or altered) is told. */
export const UNKNOWN_BUTTON_TEXT =
  'This button is no longer in use (it is from an older version of release-conductor, or the message was altered), so nothing was done. `/release help` lists what I do now.';

/** What a modal the bot does not know shows once submitted. */
export const UNKNOWN_FORM_TEXT =
  'This form is no longer in use (it is from an older version of release-conductor, or it was altered), so nothing was saved. `/release help` lists what I do now.';

/**
 * Registered last: a button, menu or modal the bot does not know is acked at once and logged (Bolt would leave it
 * unanswered, and Slack would show an error after 3 s); the clicker is told, ephemerally, when Slack gave a response_url.
 */
function registerUnknown(app: App, deps: AppDeps, known: { actions: Iterable<string>; views: Iterable<string> }): void {
  const logger = deps.logger.child({ module: 'slack' });
  app.action<BlockAction>(anyIdBut(known.actions), async ({ ack, body, action, respond }) => {
    await ack();
    logger.warn({ actionId: action.action_id, user: body.user.id }, 'a button or menu the bot does not know was used: acked, nothing done');
    if (body.response_url) {
      afterAck({ inFlight: deps.inFlight, logger, reply: respond }, () =>
        respond({ response_type: 'ephemeral', replace_original: false, text: `:warning: ${UNKNOWN_BUTTON_TEXT}` }),
      );
    }
  });
  app.view<ViewSubmitAction>(anyIdBut(known.views), async ({ ack, body, view }) => {
    logger.warn({ callbackId: view.callback_id, user: body.user.id }, 'a modal the bot does not know was submitted: acked, nothing saved');
    await ack({
      response_action: 'update',
      view: {
        type: 'modal',
        title: { type: 'plain_text', text: 'release-conductor' },
        close: { type: 'plain_text', text: 'Close' },
        blocks: [section(UNKNOWN_FORM_TEXT)],
      },
    });
  });
}

/**
 * A listener that hands the payload to the table's listener for its id.
 * Register it with `exactlyOneOf(table.keys())`, so that Bolt only gives it
 * ids the table has.
 */
export function dispatchById<Args>(
  table: ReadonlyMap<string, (args: Args) => Promise<void>>,
  idOf: (args: Args) => string,
): (args: Args) => Promise<void> {
  return async (args) => {
    const listener = table.get(idOf(args));
    if (!listener) throw new Error(`no listener for ${idOf(args)}`);
    await listener(args);
  };
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

/** Registers every feature's listeners on `app`; returns how to run again the intents of its durable requests. */
export function registerFeatures(app: App, deps: AppDeps, features: readonly Feature[]): IntentReplayers {
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
  app.command('/release', releaseCommand(deps, allSubcommands));

  const buttons = mergeTables<ButtonListener>({ kind: 'button', features, pick: (f) => f.buttons, deps });
  // The durable buttons' own listeners (a replay runs them as they are); Bolt gets them wrapped.
  const durableButtons = new Map<string, ButtonListener>();
  for (const feature of features) {
    for (const id of feature.durableButtons ?? []) {
      const listener = buttons.get(id);
      if (!listener) throw new Error(`durable button "${id}" of ${feature.name} has no listener`);
      durableButtons.set(id, listener);
      buttons.set(id, durableButton(deps, listener));
    }
  }
  if (buttons.size > 0)
    app.action<BlockButtonAction>(
      exactlyOneOf(buttons.keys()),
      dispatchById(buttons, ({ action }) => action.action_id),
    );
  const selects = mergeTables<SelectListener>({ kind: 'select', features, pick: (f) => f.selects, deps });
  if (selects.size > 0)
    app.action<BlockStaticSelectAction>(
      exactlyOneOf(selects.keys()),
      dispatchById(selects, ({ action }) => action.action_id),
    );
  const views = mergeTables<ViewListener>({ kind: 'view', features, pick: (f) => f.views, deps });
  if (views.size > 0)
    app.view<ViewSubmitAction>(
      exactlyOneOf(views.keys()),
      dispatchById(views, ({ view }) => view.callback_id),
    );
  const homes = mergeTables<AppHomeOpenedListener>({
    kind: 'event',
    features,
    pick: (f) => (f.events?.app_home_opened ? { app_home_opened: f.events.app_home_opened } : undefined),
    deps,
  });
  const home = homes.get('app_home_opened');
  if (home) app.event('app_home_opened', home);
  registerUnknown(app, deps, { actions: [...buttons.keys(), ...selects.keys()], views: views.keys() });

  app.error(async (error) => {
    deps.logger.error({ err: error }, 'unhandled error in a Slack listener');
  });

  return {
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
}
