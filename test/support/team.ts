/** A team for end-to-end tests: people on the fake Slack, some of them on the rotation. */
import { importRoster } from '../../src/rotation/roster-store';
import type { Harness } from './harness';

/** The team's channel (announcements, train threads). */
export const CHANNEL = 'C0TEAM001';
/** The release admin (settings `admins.users`). */
export const ADMIN = 'U0ADMIN01';
export const ALICE = 'U0ALICE01';
export const BOB = 'U0BOB0001';
export const CAROL = 'U0CAROL01';
/** The settings the team's tests start from: announcements in CHANNEL, ADMIN as the admin. */
export const TEAM_SETTINGS = { announcementChannel: CHANNEL, admins: { users: [ADMIN] } };

export async function importTeam(
  h: Harness,
  options: {
    /** Slack user id → name, for everyone the test involves. */
    people: Record<string, string>;
    /** The rotation, in order (user ids among `people`). */
    rotation: string[];
    startTrain: number;
    /** Who imports the roster (an admin). */
    actor: string;
  },
): Promise<void> {
  for (const [id, name] of Object.entries(options.people)) h.slack.addUser({ id, name });
  await importRoster({
    prisma: h.bot.database.prisma,
    actor: options.actor,
    now: h.clock.now(),
    startTrain: options.startTrain,
    members: options.rotation.map((slackUserId) => ({ slackUserId, displayName: slackUserId, githubLogin: null, timeZone: null })),
  });
}
