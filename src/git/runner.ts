/**
 * Runs git (through simple-git) for one cache: the environment (credentials via
 * GIT_ASKPASS, never in argv), and git's failures turned into `GitError`s.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { simpleGit as SimpleGitFactory } from 'simple-git';
import type { Logger } from '../logger';
import { scrubSecrets } from '../logger';
import { GitError } from './errors';
import type { GitCredentials } from './types';
import { DEFAULT_PATH } from './version';

/** The git subcommand of an argument list (`fetch` in `-c x=y fetch …`). */
export function commandOf(args: string[]): string {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '-c' || arg === '-C') i += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return '';
}

/** A failed git command: its exit code and what it said on stderr. */
export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`git ${commandOf(args)} exited with ${exitCode}: ${stderr.trim().slice(0, 2000)}`);
    this.name = 'GitCommandError';
  }
}

// The askpass script holds no secret: it prints two variables of the git process's own environment.
const ASKPASS_SCRIPT = `#!/bin/sh
case "$1" in
  [Uu]sername*) printf '%s\\n' "$RELEASE_CONDUCTOR_GIT_USERNAME" ;;
  *) printf '%s\\n' "$RELEASE_CONDUCTOR_GIT_PASSWORD" ;;
esac
`;

export interface GitRunnerOptions {
  logger: Logger;
  gitBinary: string;
  /** The environment of git processes (PATH, HOME…), from the edge. */
  env: Record<string, string | undefined>;
  credentials?: GitCredentials;
  /** Where the askpass script is written. */
  gitRoot: string;
}

export interface RunOptions {
  /** The directory git runs in. */
  cwd: string;
  /** Whether the command talks to the remote (then credentials are handed over). */
  network?: boolean;
  /** Text for stdin (only `patch-id`). */
  input?: string;
}

export type GitRun = (args: string[], options: RunOptions) => Promise<string>;

const IDENTITY = {
  GIT_COMMITTER_NAME: 'release-conductor',
  GIT_COMMITTER_EMAIL: 'release-conductor@users.noreply.github.com',
};

/** Variables of the edge's environment that git must not see (simple-git refuses most of them anyway). */
const INHERITED_NEVER = [
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  'EDITOR',
  'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR',
  'PAGER',
  'GIT_PAGER',
  'GIT_EXTERNAL_DIFF',
  'GIT_PROXY_COMMAND',
  'GIT_TEMPLATE_DIR',
  'GIT_CONFIG',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_CONFIG_COUNT',
  'GIT_EXEC_PATH',
  'PREFIX',
];

/** Builds the `git` function of one adapter. */
export function createGitRunner(options: GitRunnerOptions): GitRun {
  let askpass: Promise<string> | undefined;
  const askpassPath = (): Promise<string> => {
    askpass ??= (async () => {
      await mkdir(options.gitRoot, { recursive: true });
      const file = path.join(options.gitRoot, 'askpass.sh');
      await writeFile(file, ASKPASS_SCRIPT, { mode: 0o700 });
      await chmod(file, 0o700);
      return file;
    })();
    return askpass;
  };

  const environment = async (network: boolean): Promise<Record<string, string>> => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.env)) if (value !== undefined) env[key] = value;
    // Nothing from a person's own set-up may prompt, page, edit or answer in our place.
    for (const key of INHERITED_NEVER) delete env[key];
    env.PATH ??= DEFAULT_PATH;
    Object.assign(env, IDENTITY, { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', LANGUAGE: 'C' });
    if (network && options.credentials) {
      const credentials = await options.credentials();
      if (credentials) {
        env.GIT_ASKPASS = await askpassPath();
        env.RELEASE_CONDUCTOR_GIT_USERNAME = credentials.username;
        env.RELEASE_CONDUCTOR_GIT_PASSWORD = credentials.password;
      }
    }
    return env;
  };

  return async (args, run) => {
    const env = await environment(run.network ?? false);
    const started = process.hrtime.bigint();
    try {
      if (run.input !== undefined) return await withInput(options.gitBinary, args, run.cwd, env, run.input);
      // simple-git wraps what `errors` returns in its own error: keep ours to rethrow it.
      let failed: GitCommandError | undefined;
      const git = (await loadSimpleGit())({
        baseDir: run.cwd,
        binary: options.gitBinary,
        maxConcurrentProcesses: 4,
        trimmed: false,
        // Our own askpass script (it prints the credentials we were given) and binary are deliberate; an ssh command is the edge's.
        unsafe: { allowUnsafeAskPass: true, allowUnsafeCustomBinary: true, allowUnsafeSshCommand: true },
        errors: (error, result) => {
          if (result.exitCode === 0) return error;
          failed = new GitCommandError(args, result.exitCode, Buffer.concat(result.stdErr).toString('utf8'));
          return failed;
        },
        // A fetch that prints nothing for this long is stuck (the network went away without closing).
        timeout: { block: 600_000 },
      }).env(env);
      try {
        return await git.raw(args);
      } catch (error) {
        throw failed ?? error;
      }
    } catch (error) {
      throw toGitError(error, args);
    } finally {
      const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
      options.logger.debug({ git: commandOf(args), ms }, 'git ran');
    }
  };
}

/** `git <args>` with `input` on stdin (simple-git has no stdin). */
function withInput(binary: string, args: string[], cwd: string, env: Record<string, string>, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new GitCommandError(args, code ?? -1, Buffer.concat(err).toString('utf8')));
    });
    child.stdin.on('error', reject);
    child.stdin.end(input);
  });
}

const NETWORK = [
  /could not resolve host/i,
  /unable to access/i,
  /the remote end hung up/i,
  /early eof/i,
  /connection (refused|reset|timed out)/i,
  /could not read from remote repository/i,
  /does not appear to be a git repository/i,
  /unexpected disconnect/i,
  /rpc failed/i,
  /authentication failed/i,
  /could not read (username|password)/i,
];

/** What a failure of git means, in words for a person (stderr is logged, scrubbed, never shown raw). */
export function toGitError(error: unknown, args: string[]): Error {
  if (error instanceof GitError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const stderr = error instanceof GitCommandError ? error.stderr : error instanceof Error ? error.message : String(error);
  const logMessage = scrubSecrets(`git ${commandOf(args)} failed: ${stderr.trim().slice(0, 2000)}`);
  if (code === 'ENOSPC' || /no space left on device/i.test(stderr)) {
    return new GitError(
      'disk-full',
      'The disk that holds my git cache is full, so nothing was pushed. Free some space (or give DATA_DIR a bigger volume) and try again.',
      {
        cause: error,
        logMessage,
      },
    );
  }
  if (code === 'ENOENT' && !(error instanceof GitCommandError)) {
    return new GitError(
      'git-unavailable',
      'git is not installed where I run, so I cannot work on repositories. Install git 2.25 or newer.',
      {
        cause: error,
        logMessage,
      },
    );
  }
  if (NETWORK.some((pattern) => pattern.test(stderr))) {
    return new GitError(
      'network',
      'I could not talk to the git remote (the connection failed or broke off), so nothing was pushed. Try again in a moment; if it keeps failing, check that the repository is reachable and my credentials are valid.',
      {
        cause: error,
        logMessage,
      },
    );
  }
  return error instanceof GitCommandError
    ? error
    : new GitError('git-failed', `git ${commandOf(args)} failed; nothing was pushed. The details are in my logs.`, {
        cause: error,
        logMessage,
      });
}

let simpleGitModule: Promise<typeof SimpleGitFactory> | undefined;
/** simple-git, loaded at the first git command: most processes never run one (about 0.5 MB of heap saved until then). */
function loadSimpleGit(): Promise<typeof SimpleGitFactory> {
  simpleGitModule ??= import('simple-git').then((module) => module.simpleGit);
  return simpleGitModule;
}
