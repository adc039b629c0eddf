/**
 * Whether git is installed and recent enough (partial clone needs 2.25).
 */
import { execFile } from 'node:child_process';

export const MINIMUM_GIT_VERSION = '2.25.0';

/** Where git is looked for when the environment has no PATH (the usual system directories). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What `git --version` said. */
export type GitVersionCheck = { ok: true; version: string } | { ok: false; version: string | null; reason: string };

/** Compares dotted numeric versions (`2.39.5` vs `2.25.0`). */
function atLeast(version: string, minimum: string): boolean {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** Runs `<gitBinary> --version` (found on `env.PATH`); never throws. */
export function checkGitVersion(options: { gitBinary?: string; env?: Record<string, string | undefined> } = {}): Promise<GitVersionCheck> {
  const gitBinary = options.gitBinary ?? 'git';
  const env = options.env === undefined ? undefined : { PATH: options.env.PATH ?? DEFAULT_PATH, HOME: options.env.HOME ?? '' };
  return new Promise((resolve) => {
    execFile(gitBinary, ['--version'], { timeout: 10_000, env }, (error, stdout) => {
      if (error) {
        resolve({
          ok: false,
          version: null,
          reason: `git is not installed (${gitBinary} could not run); install git ${MINIMUM_GIT_VERSION} or newer`,
        });
        return;
      }
      const match = /git version (\d+(?:\.\d+)*)/.exec(stdout);
      const version = match?.[1] ?? null;
      if (version === null) {
        resolve({ ok: false, version: null, reason: `could not read the git version from "${stdout.trim().slice(0, 80)}"` });
      } else if (!atLeast(version, MINIMUM_GIT_VERSION)) {
        resolve({ ok: false, version, reason: `git ${version} is too old: partial clones need git ${MINIMUM_GIT_VERSION} or newer` });
      } else {
        resolve({ ok: true, version });
      }
    });
  });
}
