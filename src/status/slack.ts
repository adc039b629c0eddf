/** The dashboard's Slack listeners: the Refresh button and the App Home tab. */
import type { AppDeps } from '../deps';
import type { AppHomeOpenedListener, ButtonListener } from '../feature';
import { afterAck } from '../slack/after-ack';
import { claimDelivery } from '../slack/deliveries';
import { publishAppHome } from './app-home';
import { getStatusReport } from './gather-status';
import { renderStatus } from './status-view';

/** The dashboard's Refresh button: on the Home tab it republishes; on a reply it replaces it. */
export function statusRefresh(deps: AppDeps): ButtonListener {
  const logger = deps.logger.child({ module: 'status' });
  return async ({ ack, body, client, respond }) => {
    await ack();
    const now = deps.now();
    // The dashboard is the heaviest answer: it takes one of the few work slots.
    afterAck({ inFlight: deps.inFlight, logger, reply: respond, heavy: true }, async () => {
      if (body.view?.type === 'home') {
        await publishAppHome({ deps, client, userId: body.user.id, now, fresh: true });
        return;
      }
      const report = await getStatusReport({ deps, now, fresh: true });
      await respond({ response_type: 'ephemeral', replace_original: true, ...renderStatus(report, deps.config.settings) });
    });
  };
}

/** `app_home_opened`: publish the dashboard on the Home tab. */
export function appHomeOpened(deps: AppDeps): AppHomeOpenedListener {
  const logger = deps.logger.child({ module: 'app-home' });
  return async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    const now = deps.now();
    afterAck({ inFlight: deps.inFlight, logger, heavy: true, unanswered: 'could not publish the App Home' }, async () => {
      if (!(await claimDelivery({ sql: deps.db.sql, key: `event:${body.event_id}`, now }))) return;
      await publishAppHome({ deps, client, userId: event.user, now });
    });
  };
}
