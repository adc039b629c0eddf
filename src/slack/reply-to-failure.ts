/**
 * The one edge where a failure of a use case becomes words for the person who
 * asked: an ephemeral reply (`replyToFailure`) or a modal's field error
 * (`describeFailure`). Nothing else maps errors to messages.
 */
import type { RespondArguments } from '@slack/bolt';
import { type DatabaseOutage, databaseOutageOf } from '../db/unavailable';
import { AFTER_INTERNAL_FAILURE, AppError } from '../errors';
import { GitHubError } from '../github/errors';
import type { Logger } from '../logger';
import { escapeMrkdwn } from './mrkdwn';

export interface FailureWords {
  /** mrkdwn for a message (user text inside is escaped). */
  text: string;
  /** Plain text for a modal's field error (no mrkdwn there: mentions are written as @U…). */
  plain: string;
}

/**
 * What to tell the person about `error`, logged once at the level it deserves.
 * `unchanged` says what stayed as it was (default: "nothing was changed").
 */
export function describeFailure(options: { error: unknown; logger: Logger; unchanged?: string }): FailureWords {
  const { error, logger } = options;
  const unchanged = options.unchanged ?? 'nothing was changed';
  if (error instanceof AppError) {
    // Our own words; any user text inside was escaped where it was put in.
    logger.info({ err: error, code: error.code }, 'request refused or failed with a message for the user');
    return { text: error.userMessage, plain: error.userMessage.replace(/<@(\w+)>/g, '@$1') };
  }
  if (error instanceof GitHubError) {
    logger.warn({ err: error }, 'GitHub failed while handling a request');
    const sentence = `${capitalise(unchanged)}; try again in a moment.`;
    return { text: `${escapeMrkdwn(error.userMessage)} ${sentence}`, plain: `${error.userMessage} ${sentence}` };
  }
  const outage = databaseOutageOf(error);
  if (outage) {
    logger.warn({ err: error, outage }, 'the database was unavailable while handling a request');
    const text = `${DATABASE_OUTAGE_WORDS[outage]}, so ${unchanged}; ${AFTER_DATABASE_OUTAGE}`;
    return { text, plain: text };
  }
  logger.error({ err: error }, 'request failed');
  const text = `Something went wrong on my side; ${unchanged}. ${AFTER_INTERNAL_FAILURE}`;
  return { text, plain: text };
}

/** What the person is told about each kind of database outage (the kind is in the log line too). */
const DATABASE_OUTAGE_WORDS: Record<DatabaseOutage, string> = {
  unreachable: "I can't reach my database right now",
  'connection-lost': 'I lost my connection to my database',
  'not-answering': 'My database is not answering right now',
  'too-many-connections': 'My database has no free connections right now',
};

const AFTER_DATABASE_OUTAGE = 'try again in a few minutes. If it keeps failing, tell whoever runs release-conductor.';

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Tells the person who asked, ephemerally, what went wrong (see describeFailure). Never throws. */
export async function replyToFailure(options: {
  error: unknown;
  respond: (message: RespondArguments) => Promise<unknown>;
  logger: Logger;
}): Promise<void> {
  const { text } = describeFailure(options);
  await options.respond({ response_type: 'ephemeral', text: `:warning: ${text}` }).catch((replyError: unknown) => {
    options.logger.error({ err: replyError }, 'could not tell the user about a failure');
  });
}
