/** `/release schedule`: the upcoming trains with kickoff, cutoff and owner. */
import type { Feature } from '../feature';
import { createScheduleSubcommand } from './schedule-command';

export const scheduleFeature: Feature = { name: 'schedule', subcommands: [createScheduleSubcommand] };
