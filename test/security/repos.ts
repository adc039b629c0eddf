/**
 * A public and a private local bare remote, as issue 16 describes them: the public one with train 1 cut
 * (v1.1.0) and one public dot release (v1.1.1); the private one empty until `security start` pushes train-1 to
 * it. `landFix` then plays the engineer: clones the private repository, branches off train-1, commits the fix
 * and merges it into the private train-1 (the PR's merge).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createGitFixture, type GitFixture } from '../git/fixture';

export const FIX_FILE = 'packages/fxa-auth-server/lib/oauth-secret-check.js';
export const FIX_SUBJECT = 'Close the token replay hole in oauth';

export interface TwoRemotes {
  fixture: GitFixture;
  /** The public bare remote. */
  publicRemote: string;
  /** The private bare remote. */
  privateRemote: string;
  /** Runs git in the private bare remote. */
  privateGit(...args: string[]): string;
  /** Runs git in the public bare remote. */
  publicGit(...args: string[]): string;
  cut: string;
  /** A fix on public main, not yet on train-1. */
  publicFix: string;
  /** The engineer's side: commits the fix in a clone of the private repository and merges it into train-1. Returns the fix's SHA. */
  landFix(options?: { content?: string }): string;
  cleanup(): void;
}

const ENV = {
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function run(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...ENV }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function createTwoRemotes(): TwoRemotes {
  const fixture = createGitFixture();
  const cut = fixture.commit('Initial', {
    'packages/fxa-auth-server/lib/oauth-secret-check.js': 'module.exports = () => true;\n',
    'packages/fxa-content-server/app.js': 'app\n',
    'assets/logo.svg': '<svg/>\n',
  });
  fixture.git('tag', '-a', '-m', 'Train release 1', 'v1.1.0', cut);
  fixture.git('branch', 'train-1', cut);
  fixture.git('switch', '--quiet', 'train-1');
  const dot = fixture.commit('fix(content): typo', { 'packages/fxa-content-server/app.js': 'app!\n' });
  fixture.git('tag', '-a', '-m', 'Train release v1.1.1', 'v1.1.1', dot);
  fixture.git('switch', '--quiet', 'main');
  const publicFix = fixture.commit('fix(content): header', { 'packages/fxa-content-server/header.js': 'header\n' });
  fixture.git('push', '--quiet', 'origin', 'main', 'train-1', 'refs/tags/v1.1.0', 'refs/tags/v1.1.1');
  const privateRemote = path.join(fixture.root, 'private.git');
  run(fixture.root, ['init', '--quiet', '--bare', '--initial-branch=main', privateRemote]);
  run(privateRemote, ['config', 'uploadpack.allowFilter', 'true']);
  run(privateRemote, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
  const engineer = path.join(fixture.root, 'engineer-private');
  return {
    fixture,
    publicRemote: fixture.remote,
    privateRemote,
    privateGit: (...args) => run(privateRemote, args),
    publicGit: (...args) => run(fixture.remote, args),
    cut,
    publicFix,
    landFix(options = {}) {
      run(fixture.root, ['clone', '--quiet', privateRemote, engineer]);
      run(engineer, ['switch', '--quiet', '-c', 'fix-replay', 'origin/train-1']);
      execFileSync(
        'sh',
        [
          '-c',
          `mkdir -p "$(dirname '${FIX_FILE}')" && printf '%s' "$0" > '${FIX_FILE}'`,
          options.content ?? 'module.exports = (t) => t.used === false;\n',
        ],
        {
          cwd: engineer,
        },
      );
      run(engineer, ['add', '--all']);
      run(engineer, ['commit', '--quiet', '-m', FIX_SUBJECT]);
      const fix = run(engineer, ['rev-parse', 'HEAD']);
      // The PR against train-1, merged (a merge commit, as GitHub's merge button makes).
      run(engineer, ['switch', '--quiet', 'train-1']);
      run(engineer, ['merge', '--quiet', '--no-ff', '-m', 'Merge pull request #1 from fix-replay', 'fix-replay']);
      run(engineer, ['push', '--quiet', 'origin', 'train-1', 'fix-replay']);
      return fix;
    },
    cleanup: () => fixture.cleanup(),
  };
}
