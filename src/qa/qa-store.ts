/**
 * QA's sign-offs (`qa_signoffs`) in PostgreSQL: each one recorded with its
 * audit entry in one transaction; the latest of a train counts.
 */
import { recordAudit } from '../audit/audit-store';
import type { PrismaClient } from '../generated/prisma/client';

export type QaColour = 'green' | 'yellow' | 'red';

export interface QaSignoff {
  id: number;
  train: number;
  colour: QaColour;
  note: string | null;
  by: string;
  at: Date;
}

function colourOf(value: string): QaColour {
  return value === 'green' || value === 'yellow' ? value : 'red';
}

/** Records a sign-off and its audit entry. */
export async function recordQaSignoff(options: {
  prisma: PrismaClient;
  train: number;
  colour: QaColour;
  note: string | null;
  by: string;
  now: Date;
}): Promise<QaSignoff> {
  const { prisma, train, colour, note, by, now } = options;
  return prisma.$transaction(async (tx) => {
    const row = await tx.qaSignoff.create({ data: { train, colour, note, by, at: now } });
    await recordAudit(tx, { actor: by, action: 'qa.signoff', subject: `train:${train}`, details: { colour, note }, at: now });
    return { ...row, colour: colourOf(row.colour) };
  });
}

/** The latest sign-off of each of `trains`. */
export async function latestQaSignoffs(prisma: PrismaClient, trains: number[]): Promise<Map<number, QaSignoff>> {
  if (trains.length === 0) return new Map();
  const rows = await prisma.qaSignoff.findMany({ where: { train: { in: trains } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
  const latest = new Map<number, QaSignoff>();
  for (const row of rows) latest.set(row.train, { ...row, colour: colourOf(row.colour) });
  return latest;
}

/** QA's part of the dashboard's change fingerprint (src/status/status-store.ts): sign-offs are added, never edited. */
export const QA_FINGERPRINT = [{ table: 'qa_signoffs', changedAt: ['at'] }] as const;
