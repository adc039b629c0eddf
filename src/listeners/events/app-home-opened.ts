/** `app_home_opened`: publish the dashboard on the Home tab. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { claimDelivery } from '../../slack/deliveries';
import { publishAppHome } from '../../status/app-home';

export function appHomeOpened(deps: AppDeps) {
  const logger = deps.logger.child({ module: 'app-home' });
  return async ({ event, body, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => {
    if (event.tab !== 'home') return;
    const now = deps.now();
    const work = async () => {
      if (!(await claimDelivery({ sql: deps.db.sql, key: `event:${body.event_id}`, now }))) return;
      await publishAppHome({ deps, client, userId: event.user, now });
    };
    void deps.inFlight.follow(() => work().catch((error: unknown) => logger.error({ err: error }, 'could not publish the App Home')));
  };
}
