/** `/release …`: ack at once, then route to the subcommand, once per delivery. */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../deps';
import { afterAck } from '../slack/after-ack';
import { claimDelivery } from '../slack/deliveries';
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
  return async ({ command, ack, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    await ack();
    const now = deps.now();
    afterAck({ inFlight, logger, reply: respond }, async () => {
      // Slack re-sends a request it thinks was not acknowledged; a replayed trigger_id was handled already.
      if (!(await claimDelivery({ sql: deps.db.sql, key: `command:${command.trigger_id}`, now }))) {
        logger.info({ triggerId: command.trigger_id }, 'duplicate delivery of a command ignored');
        return;
      }
      await routeCommand({
        text: command.text,
        subcommands,
        command: command.command,
        runHeavy: (work) => inFlight.run(work),
        context: {
          userId: command.user_id,
          channelId: command.channel_id,
          triggerId: command.trigger_id,
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
