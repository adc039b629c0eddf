/** The repository's git remote, as the dot releases use it (a thin wrapper over the git adapter in deps). */
import type { AppDeps } from '../deps';
import type { GitRepository } from '../git';

/** The remote URL: the `gitRemoteUrl` setting, else GitHub's HTTPS URL of `repository` (credentials never in it). */
export function gitRemoteOf(settings: { repository: string; gitRemoteUrl?: string | undefined }): string {
  return settings.gitRemoteUrl ?? `https://github.com/${settings.repository}.git`;
}

export function trainRepository(deps: Pick<AppDeps, 'git' | 'config'>): GitRepository {
  return deps.git.open(gitRemoteOf(deps.config.settings));
}
