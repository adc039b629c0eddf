/**
 * The workspace's people, as the features need them: who a user id is, and
 * who has an e-mail address. Slack's "no such user" answers become null;
 * every other failure is thrown as Slack gave it by the directory, and
 * caught (logged, a mention instead) by the name helpers at the end.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger';
import { slackErrorCode } from './messenger';

export interface SlackUser {
  id: string;
  /** The name people know them by: display name, else real name, else user name. */
  displayName: string;
  /** IANA zone from their profile, if set. */
  timeZone: string | null;
  deleted: boolean;
  isBot: boolean;
}

export interface SlackDirectory {
  /** The member with this id, or null when Slack knows none (users.info). */
  findUser(userId: string): Promise<SlackUser | null>;
  /** The active human member with this e-mail address, or null (users.lookupByEmail). */
  findUserIdByEmail(email: string): Promise<string | null>;
}

const NOT_FOUND_ERRORS = new Set(['users_not_found', 'user_not_found']);

function orNullWhenNotFound(error: unknown): null {
  const code = slackErrorCode(error);
  if (code !== undefined && NOT_FOUND_ERRORS.has(code)) return null;
  throw error;
}

export function createSlackDirectory(client: WebClient): SlackDirectory {
  return {
    async findUser(userId) {
      const user = await client.users.info({ user: userId }).then((answer) => answer.user, orNullWhenNotFound);
      if (!user?.id) return null;
      return {
        id: user.id,
        displayName: user.profile?.display_name || user.real_name || user.name || user.id,
        timeZone: user.tz ?? null,
        deleted: user.deleted === true,
        isBot: user.is_bot === true,
      };
    },
    async findUserIdByEmail(email) {
      const user = await client.users.lookupByEmail({ email }).then((answer) => answer.user, orNullWhenNotFound);
      if (!user?.id || user.deleted || user.is_bot) return null;
      return user.id;
    },
  };
}

/** How long a name may keep a message (or a write) waiting: past it the person is mentioned instead. */
export const NAME_LOOKUP_TIMEOUT_MS = 1000;

/** What a name look-up needs: the directory, and the logger that records a failed look-up. */
export interface NameLookupDeps {
  slackDirectory: SlackDirectory;
  logger: Logger;
}

/**
 * The member's display name, or undefined when Slack knows none, fails (logged) or takes longer than `timeoutMs`
 * (logged): a name only decorates a message, so nothing waits on it or fails for want of it.
 */
async function lookUpName(deps: NameLookupDeps, userId: string, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), timeoutMs);
    timer.unref();
  });
  try {
    const user = await Promise.race([deps.slackDirectory.findUser(userId), timedOut]);
    if (user === 'timed-out') {
      deps.logger.warn({ userId, timeoutMs }, 'slack: users.info did not answer in time; the person is mentioned, not named');
      return undefined;
    }
    return user?.displayName;
  } catch (error) {
    deps.logger.warn({ err: error, userId }, 'slack: users.info failed; the person is mentioned, not named');
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Display names of these members (for naming people in channel messages instead of pinging them), asked of Slack
 * in parallel. Unknown ids, and ids Slack failed on or was too slow for (logged), are left out: the caller falls back
 * to a mention (`actorText`) or to what it knows.
 */
export async function displayNames(
  deps: NameLookupDeps,
  userIds: Iterable<string>,
  timeoutMs = NAME_LOOKUP_TIMEOUT_MS,
): Promise<Map<string, string>> {
  const ids = [...new Set(userIds)];
  const found = await Promise.all(ids.map(async (id) => [id, await lookUpName(deps, id, timeoutMs)] as const));
  const names = new Map<string, string>();
  for (const [id, name] of found) if (name !== undefined) names.set(id, name);
  return names;
}

/**
 * A member's display name for naming them in a message (not pinging them); undefined when Slack knows none, fails or
 * is slow (logged, see `displayNames`).
 */
export async function nameOf(deps: NameLookupDeps, userId: string, timeoutMs = NAME_LOOKUP_TIMEOUT_MS): Promise<string | undefined> {
  return lookUpName(deps, userId, timeoutMs);
}
