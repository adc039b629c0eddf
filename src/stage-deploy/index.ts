/** Temporary stage deploys (issue 16): `/release stage-deploy`, their follow-up, and their dashboard section. */
import type { Feature } from '../feature';
import { createStageDeploySubcommand } from './stage-deploy-command';
import { createStageDeployJobs } from './stage-deploy-jobs';

export const stageDeployFeature: Feature = {
  name: 'stage-deploy',
  subcommands: [createStageDeploySubcommand],
  jobs: () => createStageDeployJobs(),
};
