/**
 * Deploy notes as mrkdwn lines: SRE steps first and flagged; every note
 * escaped, the mentions typed into it shown as names (`escapeTyped`).
 */
import { escapeTyped, mentionUser } from '../slack/mrkdwn';
import type { StoredNote } from './notes-store';

/** One line per note, SRE steps first. */
/** `withAuthors: false` leaves the authors out (a message to another team: no mentions of people not asked to act). */
export function renderNoteLines(
  notes: readonly StoredNote[],
  options: {
    withIds?: boolean;
    withAuthors?: boolean;
    /** Names instead of mentions (channel messages name people, they do not ping them); an unknown id stays a mention. */
    authorNames?: ReadonlyMap<string, string>;
  } = {},
): string[] {
  const ordered = [...notes.filter((n) => n.forSre), ...notes.filter((n) => !n.forSre)];
  return ordered.map((note) => {
    const id = options.withIds ? `\`${note.id}\` ` : '';
    const flag = note.forSre ? ':rotating_light: *SRE:* ' : '';
    const name = options.authorNames?.get(note.authorSlackId);
    const author = options.withAuthors === false ? '' : ` _(${name !== undefined ? escapeTyped(name) : mentionUser(note.authorSlackId)})_`;
    return `• ${id}${flag}${escapeTyped(note.text)}${author}`;
  });
}
