/**
 * GitHub login → Slack user: the roster's GitHub login (compared without
 * case), else the public e-mail on the GitHub profile looked up in Slack
 * (`users.lookupByEmail`), else nobody ("author not on Slack"). One directory
 * per sweep: each login is looked up once.
 *
 * The profiles of the authors the directory is told about up front are read
 * together (GitHub reads up to 100 a request, and keeps them until the end of
 * the team's day: the second sweep of a day reads none again).
 */
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps';
import { loadRoster } from '../rotation/roster-store';

export interface AuthorDirectory {
  /** The Slack user id of the GitHub user `login`, or null when they are not on Slack. */
  slackUserFor(login: string | null): Promise<string | null>;
}

export async function createAuthorDirectory(
  options:
    | {
        deps: AppDeps;
        /** Match through the roster only: no GitHub or Slack lookups. */
        rosterOnly: true;
      }
    | {
        deps: AppDeps;
        rosterOnly?: false;
        /** The logins about to be asked for: their GitHub profiles are read in one go. */
        authors: ReadonlyArray<string | null>;
        /** Now: GitHub profiles read today are kept until the end of the team's day. */
        now: Date;
      },
): Promise<AuthorDirectory> {
  const { deps } = options;
  const roster = await loadRoster(deps.db.prisma);
  const byLogin = new Map<string, string>();
  for (const member of roster.members) {
    if (member.githubLogin) byLogin.set(member.githubLogin.toLowerCase(), member.slackUserId);
  }
  const cache = new Map<string, Promise<string | null>>();

  function publicEmailsOf(logins: string[], now: Date): Promise<Map<string, string | null>> {
    const keepUntil = DateTime.fromJSDate(now, { zone: deps.config.settings.timeZone }).endOf('day').toJSDate();
    return deps.github.getPublicEmails(logins, { now, keepUntil });
  }

  // Everyone not on the roster, in one read (a failure fails the directory, before any DM goes out).
  let lookUp: (login: string) => Promise<string | null> = async (login) => byLogin.get(login.toLowerCase()) ?? null;
  if (!options.rosterOnly) {
    const { now } = options;
    const unrostered = new Set(
      options.authors.flatMap((login) => (login && !byLogin.has(login.toLowerCase()) ? [login.toLowerCase()] : [])),
    );
    const prefetched = unrostered.size > 0 ? await publicEmailsOf([...unrostered], now) : new Map<string, string | null>();
    lookUp = async (login) => {
      const key = login.toLowerCase();
      const rostered = byLogin.get(key);
      if (rostered) return rostered;
      const email = prefetched.has(key) ? (prefetched.get(key) ?? null) : ((await publicEmailsOf([key], now)).get(key) ?? null);
      if (!email) return null;
      return deps.slackDirectory.findUserIdByEmail(email);
    };
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
