/**
 * GitHub login → Slack user: the roster's GitHub login (compared without
 * case), else the public e-mail on the GitHub profile looked up in Slack
 * (`users.lookupByEmail`), else nobody ("author not on Slack"). One directory
 * per sweep: each login is looked up once.
 */
import type { AppDeps } from '../deps';
import { loadRoster } from '../rotation/roster-store';

export interface AuthorDirectory {
  /** The Slack user id of the GitHub user `login`, or null when they are not on Slack. */
  slackUserFor(login: string | null): Promise<string | null>;
}

export async function createAuthorDirectory(options: {
  deps: AppDeps;
  /** Match through the roster only: no GitHub or Slack lookups. */
  rosterOnly?: boolean;
}): Promise<AuthorDirectory> {
  const { deps } = options;
  const roster = await loadRoster(deps.db.prisma);
  const byLogin = new Map<string, string>();
  for (const member of roster.members) {
    if (member.githubLogin) byLogin.set(member.githubLogin.toLowerCase(), member.slackUserId);
  }
  const cache = new Map<string, Promise<string | null>>();

  async function lookUp(login: string): Promise<string | null> {
    const rostered = byLogin.get(login.toLowerCase());
    if (rostered) return rostered;
    if (options.rosterOnly) return null;
    const email = await deps.github.getPublicEmail(login);
    if (!email) return null;
    return deps.slackDirectory.findUserIdByEmail(email);
  }

  return {
    slackUserFor(login) {
      if (!login) return Promise.resolve(null);
      const key = login.toLowerCase();
      let known = cache.get(key);
      if (!known) {
        known = lookUp(login);
        // A failed lookup is not remembered: the retried sweep asks again.
        known.catch(() => cache.delete(key));
        cache.set(key, known);
      }
      return known;
    },
  };
}
