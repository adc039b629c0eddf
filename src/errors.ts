/**
 * Application errors: thrown anywhere, caught once at the edge (see
 * src/slack/reply-to-failure.ts for Slack, the CLI, main), where `userMessage`
 * is shown to the person and the rest is logged.
 */

/** What kind of failure it is, for the edge (and logs) to tell apart without `instanceof` chains. */
export type AppErrorCode =
  | 'permission-denied'
  | 'invalid-input'
  /** A git operation failed or was refused (src/git/errors.ts: its `reason` says which). */
  | 'git';

export abstract class AppError extends Error {
  /** The kind of failure; each subclass has one. */
  abstract readonly code: AppErrorCode;

  constructor(
    /** What the person sees: what went wrong and what to do about it. */
    readonly userMessage: string,
    options?: { cause?: unknown; logMessage?: string },
  ) {
    super(options?.logMessage ?? userMessage, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** What to do after an unexpected failure, for the end of a message that says what went wrong. */
export const AFTER_INTERNAL_FAILURE =
  'Try again in a minute; if it keeps failing, tell whoever runs release-conductor (the details are in its logs).';

/** The person may not do this; the message says who may. */
export class PermissionDeniedError extends AppError {
  readonly code = 'permission-denied';
}

/** The person's input is not usable; the message says what is expected. */
export class InvalidInputError extends AppError {
  readonly code = 'invalid-input';
}
