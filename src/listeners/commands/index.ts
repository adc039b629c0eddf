import type { App } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { releaseCommand } from './release';

export function registerCommands(app: App, deps: AppDeps): void {
  app.command('/release', releaseCommand(deps));
}
