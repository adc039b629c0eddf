/**
 * `/release …`: ack at once, then route to the subcommand, once per delivery.
 * A mutating request (`Subcommand.mutates`) is recorded as a durable intent
 * before its ack, and can be run again from it (`replayCommand`).
 */
import type { AllMiddlewareArgs, RespondArguments, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps';
import { afterAck } from '../slack/after-ack';
import { claimDelivery } from '../slack/deliveries';
import { currentIntent, responderFor, runDurably } from '../slack/intents';
import { parseCommandText } from './parse-command';
import { createHelpSubcommand, routeCommand, type Subcommand } from './router';

/** The subcommands given, then `help` listing them all. */
export function withHelp(subcommands: Subcommand[]): Subcommand[] {
  const all = [...subcommands];
  all.push(createHelpSubcommand(() => all));
  return all;
}

/** What a command's handling needs of Slack's payload; also what its durable intent keeps. */
export interface CommandFields {
  text: string;
  command: string;
  user_id: string;
  channel_id: string;
  trigger_id: string;
  response_url: string;
}

type CommandArgs = {
  command: CommandFields;
  ack: () => Promise<void>;
  respond: (message: RespondArguments) => Promise<unknown>;
  client: WebClient;
};

/** The intent's key of a command: its trigger_id (the key its delivery was claimed by before intents). */
const intentKey = (command: CommandFields) => `command:${command.trigger_id}`;

/** Reads the fields of a stored intent back; throws on anything else. */
function commandFieldsOf(payload: unknown): CommandFields {
  if (typeof payload !== 'object' || payload === null) throw new Error('a command intent without fields');
  const record: Record<string, unknown> = { ...payload };
  const read = (name: keyof CommandFields): string => {
    const value = record[name];
    if (typeof value !== 'string') throw new Error(`a command intent without ${name}`);
    return value;
  };
  return {
    text: read('text'),
    command: read('command'),
    user_id: read('user_id'),
    channel_id: read('channel_id'),
    trigger_id: read('trigger_id'),
    response_url: read('response_url'),
  };
}

export function releaseCommand(deps: AppDeps, subcommands: Subcommand[]) {
  const handle = createHandler(deps, subcommands);
  return async ({ command, ack, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const fields: CommandFields = {
      text: command.text,
      command: command.command,
      user_id: command.user_id,
      channel_id: command.channel_id,
      trigger_id: command.trigger_id,
      response_url: command.response_url,
    };
    const args: CommandArgs = { command: fields, ack: () => ack(), respond, client };
    if (!handle.mutates(fields.text)) return handle.run(args);
    return runDurably({ deps, key: intentKey(fields), kind: 'command', payload: fields }, args.ack, (durableAck, intent) =>
      handle.run({ ...args, ack: durableAck, respond: intent.answerOnce(args.respond) }),
    );
  };
}

/** Runs a command's intent again (a replica finishing what a dead one acked), answering through its response_url. */
export function replayCommand(deps: AppDeps, subcommands: Subcommand[]) {
  const handle = createHandler(deps, subcommands);
  return async (payload: unknown, receivedAt: Date): Promise<void> => {
    const fields = commandFieldsOf(payload);
    const args: CommandArgs = {
      command: fields,
      ack: async () => undefined,
      respond: responderFor(fields.response_url),
      client: deps.slack,
    };
    await runDurably({ deps, key: intentKey(fields), kind: 'command', payload, replay: true }, args.ack, (durableAck, intent) =>
      handle.run({ ...args, ack: durableAck, respond: intent.answerOnce(args.respond) }, receivedAt),
    );
  };
}

function createHandler(deps: AppDeps, subcommands: Subcommand[]) {
  const logger = deps.logger.child({ module: 'command' });
  const { inFlight } = deps;
  const heavyNames = new Set(subcommands.filter((sub) => sub.heavy).map((sub) => sub.name));
  const byName = new Map(subcommands.map((sub) => [sub.name, sub]));
  return {
    mutates(text: string): boolean {
      const parsed = parseCommandText(text);
      return byName.get(parsed.name)?.mutates?.(parsed.args) === true;
    },
    async run({ command, ack, respond, client }: CommandArgs, receivedAt?: Date): Promise<void> {
      await ack();
      // A replay runs as of when the command arrived (e.g. a note belongs to the train in progress then).
      const now = receivedAt ?? deps.now();
      // Only these fields wait in the queue of work after acks (not Bolt's body or arguments).
      const { text, command: name, user_id: userId, channel_id: channelId, trigger_id: triggerId } = command;
      // A dashboard is admitted as heavy work from the start (bounded apart, in a work slot), so that a busy answer comes at once.
      const heavy = heavyNames.has(parseCommandText(text).name);
      // A durable request's intent is its delivery's claim already.
      const claimed = currentIntent() !== undefined;
      afterAck({ inFlight, logger, reply: respond, heavy, what: `${name} ${text}`.trim() }, async () => {
        // Slack re-sends a request it thinks was not acknowledged; a replayed trigger_id was handled already.
        if (!claimed && !(await claimDelivery({ sql: deps.db.sql, key: `command:${triggerId}`, now }))) {
          logger.info({ triggerId }, 'duplicate delivery of a command ignored');
          return;
        }
        await routeCommand({
          text,
          subcommands,
          command: name,
          // Heavy work was admitted as such: it runs in its work slot already.
          runHeavy: (work) => (heavy ? work() : inFlight.run(work)),
          context: {
            userId,
            channelId,
            triggerId,
            now,
            respond,
            client,
            yieldToAcks: () => inFlight.afterAcks(),
            keepRunning: (work) => void inFlight.run(work),
          },
        });
      });
    },
  };
}
