/**
 * Git failures, each with a reason and a message that says what is wrong and what to do.
 */
import { AppError } from '../errors';

/** Why a git operation failed or was refused. */
export type GitErrorCode =
  /** A SHA that the repository does not know. */
  | 'unknown-commit'
  /** A commit that is not on `main` (dot releases take only commits already on main). */
  | 'not-on-main'
  /** The train has no `train-N` branch on the remote. */
  | 'no-train-branch'
  /** No commit given. */
  | 'empty-plan'
  /** The remote refused the push (protected branch, hook, permissions). */
  | 'push-rejected'
  /** The train branch moved on the remote during the run (and again after a redo): nothing pushed. */
  | 'remote-moved'
  /** The commit to push does not descend from the branch's old value: pushing would need a force. */
  | 'not-fast-forward'
  /** The planned tag (or a higher patch tag) appeared on the remote meanwhile. */
  | 'tag-appeared'
  /** The remote could not be reached or the transfer broke off. */
  | 'network'
  /** No space left on the disk that holds the cache. */
  | 'disk-full'
  /** git is not installed or older than 2.25. */
  | 'git-unavailable'
  /** Issue 16: the push would carry a commit (or a file) that only the private repository has. */
  | 'private-leak'
  /** Anything else git refused (the details are in the logs). */
  | 'git-failed';

export class GitError extends AppError {
  readonly code = 'git';

  constructor(
    /** Why. */
    readonly reason: GitErrorCode,
    userMessage: string,
    options?: { cause?: unknown; logMessage?: string; commits?: string[] },
  ) {
    super(userMessage, options);
    this.commits = options?.commits ?? [];
  }

  /** The commits concerned (e.g. every SHA not on main), when the reason is about commits. */
  readonly commits: string[];
}
