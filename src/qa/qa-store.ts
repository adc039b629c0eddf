/**
 * QA's sign-offs (`qa_signoffs`) in PostgreSQL: each one recorded with its
 * audit entry in one transaction; the latest of a train counts.
 */
import { recordAudit } from '../audit/audit-store';
import { Prisma, type PrismaClient } from '../generated/prisma/client';

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

const SIGNOFF_FIELDS = { id: true, train: true, colour: true, note: true, by: true, at: true } as const;

/**
 * Records a sign-off and its audit entry. `intentKey`: the durable request's (src/slack/intents.ts); an attempt of
 * it that finds the sign-off recorded by another (a replay running beside the first attempt: the unique `intentKey`
 * refuses the second row) gets that sign-off instead of a second, or an error.
 */
export async function recordQaSignoff(options: {
  prisma: PrismaClient;
  train: number;
  colour: QaColour;
  note: string | null;
  by: string;
  now: Date;
  intentKey?: string | undefined;
}): Promise<QaSignoff> {
  const { prisma, train, colour, note, by, now } = options;
  const intentKey = options.intentKey ?? null;
  try {
    return await prisma.$transaction(async (tx) => {
      const row = await tx.qaSignoff.create({ data: { train, colour, note, by, at: now, intentKey }, select: SIGNOFF_FIELDS });
      await recordAudit(tx, { actor: by, action: 'qa.signoff', subject: `train:${train}`, details: { colour, note }, at: now });
      return { ...row, colour: colourOf(row.colour) };
    });
  } catch (error) {
    // The only unique column besides the id: another attempt of this intent committed first.
    const recorded = intentKey !== null && isUniqueViolation(error) ? await findQaSignoffOfIntent(prisma, intentKey) : null;
    if (recorded) return recorded;
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/** The sign-off a durable request recorded (a replay after its commit), if any. */
export async function findQaSignoffOfIntent(prisma: PrismaClient, intentKey: string): Promise<QaSignoff | null> {
  const row = await prisma.qaSignoff.findUnique({ where: { intentKey }, select: SIGNOFF_FIELDS });
  return row ? { ...row, colour: colourOf(row.colour) } : null;
}

/** The latest sign-off of each of `trains`. */
export async function latestQaSignoffs(prisma: PrismaClient, trains: number[]): Promise<Map<number, QaSignoff>> {
  if (trains.length === 0) return new Map();
  const rows = await prisma.qaSignoff.findMany({
    where: { train: { in: trains } },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
    select: SIGNOFF_FIELDS,
  });
  const latest = new Map<number, QaSignoff>();
  for (const row of rows) latest.set(row.train, { ...row, colour: colourOf(row.colour) });
  return latest;
}

/** QA's part of the dashboard's change fingerprint (src/status/status-store.ts): sign-offs are added, never edited. */
export const QA_FINGERPRINT = [{ table: 'qa_signoffs', changedAt: ['at'] }] as const;
