/**
 * Real repositories in a temporary directory for the git adapter's tests: a bare
 * remote (what GitHub would be), a working clone to write history with, and a
 * `git` wrapper that records every argument list and can inject failures.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface GitFixture {
  root: string;
  /** The bare remote's path. */
  remote: string;
  /** The working clone used to write history. */
  work: string;
  /** DATA_DIR for the adapter. */
  dataDir: string;
  /** A `git` wrapper: records argv (one line per run, NUL-separated args) and fails on request. */
  gitBinary: string;
  /** Runs git in the working clone; returns trimmed stdout. */
  git(...args: string[]): string;
  /** Runs git in the bare remote. */
  remoteGit(...args: string[]): string;
  /** Writes files, commits on the current branch; returns the new SHA. */
  commit(message: string, files: Record<string, string>): string;
  /** Every argument list the wrapper saw. */
  recordedArgs(): string[][];
  /** Makes the next git commands whose first non-option argument is `command` fail with `stderr` (exit 128). */
  failNext(command: string, stderr: string): void;
  /** Stops failing. */
  heal(): void;
  /** Installs a pre-receive hook on the remote refusing pushes to `ref` (a protected branch). */
  protect(ref: string): void;
  cleanup(): void;
}

const ENV = {
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

function run(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...ENV }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * Runs a shell script (several git commands) in one process; `args` are its "$1", "$2"…; returns trimmed stdout.
 * Starting a process from a Jest worker costs a fork of the whole worker (tens of ms once its heap has grown), a
 * `sh` forks cheaply: one script instead of one process per git command.
 */
function script(cwd: string, text: string, args: string[] = []): string {
  return execFileSync('sh', ['-ec', text, 'sh', ...args], {
    cwd,
    env: { ...process.env, ...ENV },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** The real git's path (once per process: it does not change during a run). */
let realGitPath: string | undefined;
function realGit(): string {
  realGitPath ??= execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  return realGitPath;
}

export function createGitFixture(): GitFixture {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rc-git-'));
  const remote = path.join(root, 'remote.git');
  const work = path.join(root, 'work');
  const dataDir = path.join(root, 'data');
  const bin = path.join(root, 'bin');
  mkdirSync(bin);
  const record = path.join(root, 'argv.log');
  const failFile = path.join(root, 'fail');
  const gitBinary = path.join(bin, 'git');
  writeFileSync(
    gitBinary,
    `#!/bin/sh
for a in "$@"; do printf '%s\\0' "$a" >> '${record}'; done
printf '\\n' >> '${record}'
if [ -f '${failFile}' ]; then
  want=$(head -n 1 '${failFile}')
  for a in "$@"; do
    case "$a" in -*|*=*) continue ;; esac
    if [ "$a" = "$want" ]; then tail -n +2 '${failFile}' >&2; exit 128; fi
    break
  done
fi
exec '${realGit()}' "$@"
`,
  );
  chmodSync(gitBinary, 0o755);
  script(
    root,
    `git init --quiet --bare --initial-branch=main "$1"
git -C "$1" config uploadpack.allowFilter true
git -C "$1" config uploadpack.allowAnySHA1InWant true
git init --quiet --initial-branch=main "$2"
git -C "$2" remote add origin "$1"`,
    [remote, work],
  );
  const fixture: GitFixture = {
    root,
    remote,
    work,
    dataDir,
    gitBinary,
    git: (...args) => run(work, args),
    remoteGit: (...args) => run(remote, args),
    commit(message, files) {
      for (const [file, content] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
        writeFileSync(path.join(work, file), content);
      }
      return script(work, 'git add --all\ngit commit --quiet -m "$1"\ngit rev-parse HEAD', [message]);
    },
    recordedArgs() {
      if (!existsSync(record)) return [];
      return readFileSync(record, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => line.split('\0').filter((arg) => arg.length > 0));
    },
    failNext(command, stderr) {
      writeFileSync(failFile, `${command}\n${stderr}\n`);
    },
    heal() {
      rmSync(failFile, { force: true });
    },
    protect(ref) {
      const hook = path.join(remote, 'hooks', 'pre-receive');
      writeFileSync(
        hook,
        `#!/bin/sh
while read old new ref; do
  if [ "$ref" = "${ref}" ]; then echo "GH006: Protected branch update failed for ${ref}." >&2; exit 1; fi
done
`,
      );
      chmodSync(hook, 0o755);
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  return fixture;
}

/** The history of most tests: train 1 cut from main, then three fixes on main (and one later change). */
export interface TrainHistory {
  cut: string;
  fixes: [string, string, string];
  later: string;
}

/**
 * main: cut (a, b, c files) → fix1 (b) → fix2 (a, line 1) → fix3 (c) → later (d). `train-1` and `v1.1.0` at `cut`.
 * With `conflictOnSecond`, train-1 has its own change of a's line 1 (so fix2 conflicts there).
 */
export function writeTrainHistory(fixture: GitFixture, options: { conflictOnSecond?: boolean } = {}): TrainHistory {
  const cut = fixture.commit('Initial', { 'a.txt': 'one\ntwo\nthree\n', 'b.txt': 'bee\n', 'src/c.txt': 'sea\n' });
  fixture.git('tag', '-a', '-m', 'Train release 1', 'v1.1.0', cut);
  fixture.git('branch', 'train-1', cut);
  const fix1 = fixture.commit('fix(b): buzz', { 'b.txt': 'bee buzz\n' });
  const fix2 = fixture.commit('fix(a): first line', { 'a.txt': 'ONE\ntwo\nthree\n' });
  const fix3 = fixture.commit('fix(c): salt', { 'src/c.txt': 'sea salt\n' });
  const later = fixture.commit('feat: d', { 'd.txt': 'dee\n' });
  if (options.conflictOnSecond) {
    fixture.git('switch', '--quiet', 'train-1');
    fixture.commit('train-only: first line', { 'a.txt': 'uno\ntwo\nthree\n' });
    fixture.git('switch', '--quiet', 'main');
  }
  fixture.git('push', '--quiet', 'origin', 'main', 'train-1', 'refs/tags/v1.1.0');
  return { cut, fixes: [fix1, fix2, fix3], later };
}
