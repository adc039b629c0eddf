import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app';
import { STATUS_REFRESH_ACTION } from '../../status/status-view';
import { statusRefresh } from './status-refresh';

export function registerActions(app: App, deps: AppDeps): void {
  app.action(STATUS_REFRESH_ACTION, statusRefresh(deps));
}
