/** `/release schedule [count]`: the next trains, in PT, ET and UTC and the reader's own zone. */
import type { AppDeps } from '../deps';
import type { Subcommand } from '../commands/router';
import { positiveIdOf } from '../commands/parse-values';
import { InvalidInputError } from '../errors';
import { escapeMrkdwn, mentionUser, slackDate } from '../slack/mrkdwn';
import { formatInZones } from '../train/time-format';
import { listUpcomingTrains, MAX_SCHEDULE_COUNT } from './upcoming-trains';

const DEFAULT_COUNT = 6;

export function createScheduleSubcommand(deps: AppDeps): Subcommand {
  return {
    name: 'schedule',
    usage: 'schedule [count]',
    summary: `the next trains (${DEFAULT_COUNT} by default): kickoff, cutoff and owner`,
    maxArgs: 1,
    async run(context) {
      const arg = context.args[0];
      const count = arg === undefined ? DEFAULT_COUNT : positiveIdOf(arg);
      if (count === null || count > MAX_SCHEDULE_COUNT) {
        throw new InvalidInputError(
          `Give a number of trains from 1 to ${MAX_SCHEDULE_COUNT}, not \`${escapeMrkdwn(arg ?? '')}\`. Usage: \`/release schedule [count]\``,
        );
      }
      const zones = deps.config.settings.displayTimeZones;
      const trains = await listUpcomingTrains({ calendar: deps.calendar, from: context.now, count, prisma: deps.db.prisma });
      const lines = trains.map((train) => {
        const owner = train.owner ? mentionUser(train.owner) : '_no owner assigned_';
        return (
          `*Train ${train.train}*: ${owner}\n` +
          `  kickoff ${formatInZones(train.kickoff, zones)}\n` +
          `  cutoff ${formatInZones(train.cutoff, zones)} (yours: ${slackDate(train.cutoff, '{date_short_pretty} at {time}', train.cutoff.toISOString())})`
        );
      });
      await context.respond({ response_type: 'ephemeral', text: lines.join('\n') });
    },
  };
}
