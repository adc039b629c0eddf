/** The dashboard's section of active temporary stage deploys (until a release tag replaces them). */
import { context, section, type Block } from '../slack/blocks';
import { escapeMrkdwn, mentionUser } from '../slack/mrkdwn';
import type { StageDeployRow } from './stage-deploy-store';

const STATUS: Record<string, string> = { building: 'images building', built: 'images built', 'build-failed': 'image build failed' };

/** Nothing when there is no active temporary deploy. */
export function renderStageDeploysSection(deploys: readonly StageDeployRow[]): Block[] {
  if (deploys.length === 0) return [];
  const lines = deploys
    .slice(0, 10)
    .map(
      (d) =>
        `• \`${escapeMrkdwn(d.tag)}\` off train ${d.train} by ${mentionUser(d.requestedBy)}: ${STATUS[d.status] ?? escapeMrkdwn(d.status)}` +
        `${d.services.length > 0 ? ` (${d.services.map(escapeMrkdwn).join(', ')})` : ''}`,
    );
  return [
    section(`*Temporary stage deploys* (${deploys.length}), until the next release tag replaces them:\n${lines.join('\n')}`),
    ...(deploys.length > 10 ? [context(`…and ${deploys.length - 10} more`)] : []),
  ];
}
