/**
 * Deploy notes: what the deploy of a train needs to know, written by anyone
 * in Slack instead of a shared document; special steps are flagged for SRE.
 * A note belongs to the train in progress when it is written. Adding and
 * removing are audited in the same transaction.
 */
import { recordAudit } from '../audit/audit-store';
import { InvalidInputError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';

/** Longest note, in characters. */
export const MAX_NOTE_LENGTH = 1000;

export interface StoredNote {
  id: number;
  train: number;
  text: string;
  forSre: boolean;
  authorSlackId: string;
  createdAt: Date;
}

const NOTE_FIELDS = { id: true, train: true, text: true, forSre: true, authorSlackId: true, createdAt: true } as const;

/** The notes of a train, oldest first. */
export async function listNotes(prisma: PrismaClient, train: number): Promise<StoredNote[]> {
  return prisma.deployNote.findMany({ where: { train }, orderBy: { id: 'asc' } });
}

/** How many notes a train has. */
export async function countNotes(prisma: PrismaClient, train: number): Promise<number> {
  return prisma.deployNote.count({ where: { train } });
}

export async function addNote(options: {
  prisma: PrismaClient;
  train: number;
  text: string;
  forSre: boolean;
  authorSlackId: string;
  now: Date;
  /** The request's intent key: a replay of it finds its note instead of adding a second. */
  intentKey?: string;
}): Promise<StoredNote> {
  const text = options.text.trim();
  if (text === '')
    throw new InvalidInputError('Write the note after the command, e.g. `/release notes add Run the auth-server migration first`.');
  if (text.length > MAX_NOTE_LENGTH) {
    throw new InvalidInputError(
      `That note is ${text.length} characters long; keep it under ${MAX_NOTE_LENGTH} (link to a document for more).`,
    );
  }
  const { prisma, train, forSre, authorSlackId, now } = options;
  const intentKey = options.intentKey ?? null;
  return prisma.$transaction(async (tx) => {
    const added = intentKey === null ? null : await tx.deployNote.findUnique({ where: { intentKey }, select: NOTE_FIELDS });
    if (added) return added;
    const note = await tx.deployNote.create({
      data: { train, text, forSre, authorSlackId, createdAt: now, intentKey },
      select: NOTE_FIELDS,
    });
    await recordAudit(tx, {
      actor: authorSlackId,
      action: 'notes.add',
      subject: `train:${train}`,
      details: { id: note.id, forSre, text },
      at: now,
    });
    return note;
  });
}

/** Deletes a note (the caller has checked who may); returns it, or null when it was already gone. */
export async function removeNote(options: { prisma: PrismaClient; note: StoredNote; actor: string; now: Date }): Promise<boolean> {
  const { prisma, note, actor, now } = options;
  return prisma.$transaction(async (tx) => {
    const deleted = await tx.deployNote.deleteMany({ where: { id: note.id } });
    if (deleted.count === 0) return false;
    await recordAudit(tx, {
      actor,
      action: 'notes.remove',
      subject: `train:${note.train}`,
      details: { id: note.id, forSre: note.forSre, text: note.text, author: note.authorSlackId },
      at: now,
    });
    return true;
  });
}

// Reads for the notes command and the dashboard's change fingerprint.

/** One note by its number, or null when there is none. */
export async function findNote(options: { prisma: PrismaClient; id: number }): Promise<StoredNote | null> {
  return options.prisma.deployNote.findUnique({ where: { id: options.id } });
}

/** The notes' part of the dashboard's change fingerprint (src/status/status-store.ts): notes are added and removed, never edited. */
export const NOTES_FINGERPRINT = [{ table: 'deploy_notes', changedAt: ['id'] }] as const;
