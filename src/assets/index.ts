/** Releasing icons and assets (issue 16): the CDN upload after a release that changed `assets/`, and `/release assets upload`. */
import type { Feature } from '../feature';
import { createAssetsSubcommand } from './assets-command';

export const assetsFeature: Feature = { name: 'assets', subcommands: [createAssetsSubcommand] };
