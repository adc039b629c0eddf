import type { App } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { appHomeOpened } from './app-home-opened';

export function registerEvents(app: App, deps: AppDeps): void {
  app.event('app_home_opened', appHomeOpened(deps));
}
