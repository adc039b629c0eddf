/** Security releases through the private repository (issue 16): `/release security …` and their follow-up. */
import type { Feature } from '../feature';
import { createSecuritySubcommand } from './security-command';
import { createSecurityJobs } from './security-jobs';

export const securityFeature: Feature = {
  name: 'security',
  subcommands: [createSecuritySubcommand],
  jobs: ({ config }) => (config.settings.privateRepository ? createSecurityJobs() : []),
};
