/** The edge where errors from a use case become a message for the person who asked. */
import type { RespondArguments } from '@slack/bolt';
import { AFTER_INTERNAL_FAILURE, AppError } from '../errors';
import { GitHubError } from '../github/errors';
import type { Logger } from '../logger';
import { escapeMrkdwn } from './mrkdwn';

export async function replyToFailure(options: {
  error: unknown;
  respond: (message: RespondArguments) => Promise<unknown>;
  logger: Logger;
}): Promise<void> {
  const { error, logger } = options;
  let text: string;
  if (error instanceof AppError) {
    // Our own words; any user text inside was escaped where it was put in.
    logger.info({ err: error }, 'request refused or failed with a message for the user');
    text = `:warning: ${error.userMessage}`;
  } else if (error instanceof GitHubError) {
    logger.warn({ err: error }, 'GitHub failed while handling a request');
    text = `:warning: ${escapeMrkdwn(error.userMessage)} Nothing was changed; try again in a moment.`;
  } else {
    logger.error({ err: error }, 'request failed');
    text = `:warning: Something went wrong on my side; nothing was changed. ${AFTER_INTERNAL_FAILURE}`;
  }
  await options.respond({ response_type: 'ephemeral', text }).catch((replyError: unknown) => {
    logger.error({ err: replyError }, 'could not tell the user about a failure');
  });
}
