/** `/release notes`: deploy notes for the train in progress, special steps flagged for SRE. */
import type { Feature } from '../feature';
import { createNotesSubcommand } from './notes-command';

export const notesFeature: Feature = { name: 'notes', subcommands: [createNotesSubcommand] };
