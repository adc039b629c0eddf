/** A team for end-to-end tests: people on the fake Slack, some of them on the rotation. */
import { importRoster } from '../../src/rotation/roster-store';
import type { Harness } from './harness';

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
