/** `/release …`: ack at once, then route to the subcommand, once per delivery. */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../deps';
import { afterAck } from '../slack/after-ack';
import { claimDelivery } from '../slack/deliveries';
import { parseCommandText } from './parse-command';
import { createHelpSubcommand, routeCommand, type Subcommand } from './router';

/** The subcommands given, then `help` listing them all. */
export function withHelp(subcommands: Subcommand[]): Subcommand[] {
  const all = [...subcommands];
  all.push(createHelpSubcommand(() => all));
  return all;
}

export function releaseCommand(deps: AppDeps, subcommands: Subcommand[]) {
  const logger = deps.logger.child({ module: 'command' });
  const { inFlight } = deps;
  const heavyNames = new Set(subcommands.filter((sub) => sub.heavy).map((sub) => sub.name));
  return async ({ command, ack, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    await ack();
    const now = deps.now();
    // Only these fields wait in the queue of work after acks (not Bolt's body or arguments).
    const { text, command: name, user_id: userId, channel_id: channelId, trigger_id: triggerId } = command;
    // A dashboard is admitted as heavy work from the start (bounded apart, in a work slot), so that a busy answer comes at once.
    const heavy = heavyNames.has(parseCommandText(text).name);
    afterAck({ inFlight, logger, reply: respond, heavy, what: `${name} ${text}`.trim() }, async () => {
      // Slack re-sends a request it thinks was not acknowledged; a replayed trigger_id was handled already.
      if (!(await claimDelivery({ sql: deps.db.sql, key: `command:${triggerId}`, now }))) {
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
  };
}
