/** `/release rotation …`: the release-owner rotation (show, add, remove, move, skip, swap, override, emoji, import). */
import type { Feature } from '../feature';
import { createRotationSubcommand } from './rotation-command';

export const rotationFeature: Feature = { name: 'rotation', subcommands: [createRotationSubcommand] };
