/** The dashboard's Refresh button: on the Home tab it republishes; on a reply it replaces it. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { replyToFailure } from '../../slack/reply-to-failure';
import { publishAppHome } from '../../status/app-home';
import { getStatusReport } from '../../status/gather-status';
import { renderStatus } from '../../status/status-view';

export function statusRefresh(deps: AppDeps) {
  const logger = deps.logger.child({ module: 'status' });
  return async ({ ack, body, client, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const now = deps.now();
    const work = async () => {
      if (body.view?.type === 'home') {
        await publishAppHome({ deps, client, userId: body.user.id, now, fresh: true });
        return;
      }
      const report = await getStatusReport({ deps, now, fresh: true });
      await respond({ response_type: 'ephemeral', replace_original: true, ...renderStatus(report, deps.config.settings) });
    };
    void deps.inFlight.follow(() => work().catch((error: unknown) => replyToFailure({ error, respond, logger })));
  };
}
