/**
 * The `/release` router: finds the subcommand, refuses stray arguments, and
 * answers unknown words with help and the closest match.
 */
import type { RespondArguments } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { escapeMrkdwn } from '../slack/mrkdwn';
import { closestMatch, parseCommandText } from './parse-command';
import { controlCharacterProblem } from './parse-values';

/** What a subcommand gets to do its work. */
export interface CommandContext {
  userId: string;
  channelId: string;
  triggerId: string;
  /** Arguments after the subcommand's name. */
  args: string[];
  /** The text after the subcommand's name, as typed. */
  rest: string;
  /** When the command arrived. */
  now: Date;
  /** Replies to the caller only (ephemeral) unless `response_type: 'in_channel'` is given. */
  respond: (message: RespondArguments) => Promise<unknown>;
  client: WebClient;
  /** Resolves once the requests waiting for their ack have had it: call it before a step nobody is waiting on. */
  yieldToAcks: () => Promise<void>;
  /** Work that goes on after the answer (e.g. a fuller answer replacing it): a graceful stop waits for it. */
  keepRunning: (work: Promise<unknown>) => void;
}

export interface Subcommand {
  name: string;
  /** How to type it, e.g. "schedule [count]". */
  usage: string;
  /** One line for `help`. */
  summary: string;
  /** At most this many arguments; more is a mistake shown with the usage. */
  maxArgs: number;
  /** Heavy work (a dashboard): it runs in one of the few work slots, so a burst cannot hold up acks. */
  heavy?: boolean;
  /**
   * Whether the request, by its arguments (after the subcommand's name), changes something. A mutating
   * request is recorded as a durable intent before its ack (src/slack/intents.ts), so that a crash after the
   * ack cannot lose it; read-only ones (the default) pay no database write before their ack.
   */
  mutates?: (args: readonly string[]) => boolean;
  run(context: CommandContext): Promise<void>;
}

/** The help text: one line per implemented subcommand (usages escaped: Slack reads `<text>` as a link even inside backticks). */
export function renderHelp(subcommands: Subcommand[], command = '/release'): string {
  const lines = subcommands.map((sub) => `• \`${command} ${escapeMrkdwn(sub.usage)}\`: ${sub.summary}`);
  return `*${command}* does:\n${lines.join('\n')}`;
}

/** Runs the subcommand named in `text`, or explains what went wrong, to the caller only. */
export async function routeCommand(options: {
  text: string;
  subcommands: Subcommand[];
  context: Omit<CommandContext, 'args' | 'rest'>;
  command?: string;
  /** Runs a heavy subcommand in a work slot (default: at once). */
  runHeavy?: (work: () => Promise<void>) => Promise<void>;
}): Promise<void> {
  const { subcommands, context } = options;
  const command = options.command ?? '/release';
  const parsed = parseCommandText(options.text);
  // Rendered only for an answer that shows it (not on every command).
  const help = () => renderHelp(subcommands, command);
  const name = parsed.name === '' ? 'help' : parsed.name;
  const subcommand = subcommands.find((sub) => sub.name === name);
  // Refused before any subcommand sees it: a NUL cannot be stored, and the others are invisible in what is shown back.
  const control = controlCharacterProblem(options.text, 'Your command');
  if (control) {
    const usage = subcommand ? `Usage: \`${command} ${escapeMrkdwn(subcommand.usage)}\`` : help();
    await context.respond({ response_type: 'ephemeral', text: `:warning: ${control} Nothing was changed.\n${usage}` });
    return;
  }
  if (!subcommand) {
    const suggestion = closestMatch(
      name,
      subcommands.map((sub) => sub.name),
    );
    const hint = suggestion ? ` Did you mean \`${command} ${suggestion}\`?` : '';
    await context.respond({
      response_type: 'ephemeral',
      text: `I don't know \`${escapeMrkdwn(name)}\`.${hint}\n\n${help()}`,
    });
    return;
  }
  if (parsed.args.length > subcommand.maxArgs) {
    const extra = parsed.args.slice(subcommand.maxArgs).join(' ');
    await context.respond({
      response_type: 'ephemeral',
      text:
        `\`${command} ${subcommand.name}\` does not take \`${escapeMrkdwn(extra)}\`. ` +
        `Usage: \`${command} ${escapeMrkdwn(subcommand.usage)}\`\n\n${help()}`,
    });
    return;
  }
  const run = () => subcommand.run({ ...context, args: parsed.args, rest: parsed.rest });
  await (subcommand.heavy && options.runHeavy ? options.runHeavy(run) : run());
}

/** `/release help`: the list of subcommands. */
export function createHelpSubcommand(list: () => Subcommand[]): Subcommand {
  return {
    name: 'help',
    usage: 'help',
    summary: 'this list',
    maxArgs: 1,
    async run(context) {
      await context.respond({ response_type: 'ephemeral', text: renderHelp(list()) });
    },
  };
}
