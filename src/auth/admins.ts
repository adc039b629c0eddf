/**
 * Who may do privileged things (edit the roster, override owners, tag, decide
 * patches): the configured admins, by user id or Slack user group. Group
 * members are read from Slack and kept for a few minutes.
 */
import type { WebClient } from '@slack/web-api';
import type { Settings } from '../config';
import type { Logger } from '../logger';

const GROUP_TTL_MS = 5 * 60 * 1000;

export interface AdminDirectory {
  isAdmin(userId: string, now: Date): Promise<boolean>;
  /** Admins to notify: the configured users and the group's members. */
  listAdmins(now: Date): Promise<string[]>;
}

export function createAdminDirectory(options: { settings: Settings; client: WebClient; logger: Logger }): AdminDirectory {
  const { admins } = options.settings;
  let cache: { users: string[]; until: number } | undefined;

  async function groupMembers(now: Date): Promise<string[]> {
    if (!admins.usergroup) return [];
    if (cache && cache.until > now.getTime()) return cache.users;
    try {
      const result = await options.client.usergroups.users.list({ usergroup: admins.usergroup });
      cache = { users: result.users ?? [], until: now.getTime() + GROUP_TTL_MS };
      return cache.users;
    } catch (error) {
      // Without the group, only the listed admins count: refusing is the safe side.
      options.logger.warn({ err: error, usergroup: admins.usergroup }, 'could not read the admin user group');
      return cache?.users ?? [];
    }
  }

  return {
    async isAdmin(userId, now) {
      if (admins.users.includes(userId)) return true;
      return (await groupMembers(now)).includes(userId);
    },
    async listAdmins(now) {
      return [...new Set([...admins.users, ...(await groupMembers(now))])];
    },
  };
}
