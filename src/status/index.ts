/** The dashboard: `/release status`, its Refresh button and the App Home tab. */
import type { Feature } from '../feature';
import { appHomeOpened, statusRefresh } from './slack';
import { createStatusSubcommand } from './status-command';
import { STATUS_REFRESH_ACTION } from './status-view';

export const statusFeature: Feature = {
  name: 'status',
  subcommands: [createStatusSubcommand],
  buttons: { [STATUS_REFRESH_ACTION]: statusRefresh },
  events: { app_home_opened: appHomeOpened },
};
