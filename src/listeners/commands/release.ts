/** `/release …`: ack at once, then route to the subcommand, once per delivery. */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { createHelpSubcommand, routeCommand, type Subcommand } from '../../commands/router';
import { claimDelivery } from '../../slack/deliveries';
import { replyToFailure } from '../../slack/reply-to-failure';
import { createPatchesSubcommand, createRequestPatchSubcommand } from '../../patches/patch-commands';
import { createNotesSubcommand } from '../../notes/notes-command';
import { createRotationSubcommand } from '../../rotation/rotation-command';
import { createScheduleSubcommand } from '../../schedule/schedule-command';
import { createStatusSubcommand } from '../../status/status-command';
import { createTagSubcommand } from '../../tagging/tag-command';

/** Every `/release` subcommand, in the order `help` lists them. */
export function listSubcommands(deps: AppDeps): Subcommand[] {
  const subcommands: Subcommand[] = [
    createStatusSubcommand(deps),
    createScheduleSubcommand(deps),
    createRotationSubcommand(deps),
    createNotesSubcommand(deps),
    createRequestPatchSubcommand(deps),
    createPatchesSubcommand(deps),
    createTagSubcommand(deps),
  ];
  subcommands.push(createHelpSubcommand(() => subcommands));
  return subcommands;
}

export function releaseCommand(deps: AppDeps) {
  const subcommands = listSubcommands(deps);
  const logger = deps.logger.child({ module: 'command' });
  return async ({ command, ack, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    await ack();
    const now = deps.now();
    const work = async () => {
      // Slack re-sends a request it thinks was not acknowledged; a replayed trigger_id was handled already.
      if (!(await claimDelivery({ sql: deps.db.sql, key: `command:${command.trigger_id}`, now }))) {
        logger.info({ triggerId: command.trigger_id }, 'duplicate delivery of a command ignored');
        return;
      }
      await routeCommand({
        text: command.text,
        subcommands,
        command: command.command,
        context: { userId: command.user_id, channelId: command.channel_id, triggerId: command.trigger_id, now, respond, client },
      });
    };
    void deps.inFlight.follow(() => work().catch((error: unknown) => replyToFailure({ error, respond, logger })));
  };
}
