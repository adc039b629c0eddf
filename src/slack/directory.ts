/**
 * The workspace's people, as the features need them: who a user id is, and
 * who has an e-mail address. Slack's "no such user" answers become null;
 * every other failure is thrown as Slack gave it.
 */
import type { WebClient } from '@slack/web-api';
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

/** Display names of these members (for naming people in channel messages instead of pinging them); unknown ids are left out. */
export async function displayNames(directory: SlackDirectory, userIds: Iterable<string>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(userIds)) {
    const user = await directory.findUser(id);
    if (user) names.set(id, user.displayName);
  }
  return names;
}

/** A member's display name for naming them in a message (not pinging them); undefined when Slack knows none. */
export async function nameOf(deps: { slackDirectory: SlackDirectory }, userId: string): Promise<string | undefined> {
  return (await deps.slackDirectory.findUser(userId))?.displayName;
}
