/** The App Home tab: the same dashboard as `/release status`, published when a person opens it. */
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps';
import { getStatusReport } from './gather-status';
import { renderStatus } from './status-view';

export async function publishAppHome(options: {
  deps: AppDeps;
  client: WebClient;
  userId: string;
  now: Date;
  fresh?: boolean;
}): Promise<void> {
  const report = await getStatusReport({ deps: options.deps, now: options.now, fresh: options.fresh ?? false });
  const { blocks } = renderStatus(report, options.deps.config.settings);
  await options.client.views.publish({ user_id: options.userId, view: { type: 'home', blocks } });
}
