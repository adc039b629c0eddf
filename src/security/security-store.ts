/**
 * The security releases' records (`security_releases`) and their audit trail. Only tags, commits and people:
 * nothing about the fix itself (its subject, its files) is ever stored.
 */
import { recordAudit } from '../audit/audit-store';
import type { PrismaClient } from '../generated/prisma/client';

export type SecurityStatus = 'tagged' | 'ci-passed' | 'ci-failed' | 'in-production' | 'uplifted';

export interface SecurityReleaseRow {
  id: number;
  train: number;
  tag: string;
  commit: string;
  status: string;
  taggedBy: string;
  issueUrl: string | null;
  ciReportedAt: Date | null;
  remindedAt: Date | null;
  upliftBy: string | null;
  upliftAllowedAt: Date | null;
  upliftPrUrl: string | null;
  createdAt: Date;
}

/** Records a security tag (once: a retry finds the row) and its audit line. */
export async function recordSecurityTag(
  prisma: PrismaClient,
  input: { train: number; tag: string; commit: string; actor: string; now: Date },
): Promise<SecurityReleaseRow> {
  return prisma.$transaction(async (tx) => {
    const existing = await tx.securityRelease.findUnique({ where: { tag: input.tag } });
    if (existing) return existing;
    await recordAudit(tx, {
      actor: input.actor,
      action: 'security.tag',
      subject: input.tag,
      details: { train: input.train, commit: input.commit },
      at: input.now,
    });
    return tx.securityRelease.create({
      data: {
        train: input.train,
        tag: input.tag,
        commit: input.commit,
        status: 'tagged',
        taggedBy: input.actor,
        createdAt: input.now,
        updatedAt: input.now,
      },
    });
  });
}

export function findSecurityRelease(prisma: PrismaClient, tag: string): Promise<SecurityReleaseRow | null> {
  return prisma.securityRelease.findUnique({ where: { tag } });
}

/** Releases still followed (CI, production, uplift reminder), oldest first. */
export function listFollowedSecurityReleases(prisma: PrismaClient): Promise<SecurityReleaseRow[]> {
  return prisma.securityRelease.findMany({ where: { status: { not: 'uplifted' } }, orderBy: { id: 'asc' } });
}

export async function updateSecurityRelease(
  prisma: PrismaClient,
  id: number,
  change: Partial<Pick<SecurityReleaseRow, 'status' | 'issueUrl' | 'ciReportedAt' | 'remindedAt' | 'upliftPrUrl'>>,
  now: Date,
): Promise<void> {
  await prisma.securityRelease.update({ where: { id }, data: { ...change, updatedAt: now } });
}

/** Lets the push guard release this security release's commits (the uplift), with its audit line. */
export async function allowUplift(prisma: PrismaClient, input: { id: number; tag: string; actor: string; now: Date }): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await tx.securityRelease.update({
      where: { id: input.id },
      data: { upliftBy: input.actor, upliftAllowedAt: input.now, updatedAt: input.now },
    });
    await recordAudit(tx, { actor: input.actor, action: 'security.uplift', subject: input.tag, at: input.now });
  });
}

/** The private commits the push guard lets through: those of security releases whose uplift was started. */
export async function upliftAllowedCommits(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.securityRelease.findMany({ where: { upliftAllowedAt: { not: null } }, select: { commit: true } });
  return rows.map((row) => row.commit);
}

/** One audit line of the security feature (e.g. `security.start`). */
export async function recordSecurityAudit(
  prisma: PrismaClient,
  event: { actor: string; action: string; subject: string; details?: Record<string, string | number>; at: Date },
): Promise<void> {
  await recordAudit(prisma, event);
}

/** The security audit trail, newest first (admins only: the command checks). */
export function listSecurityAudit(
  prisma: PrismaClient,
  limit = 50,
): Promise<Array<{ actor: string; action: string; subject: string | null; at: Date }>> {
  return prisma.auditEvent.findMany({
    where: { action: { startsWith: 'security.' } },
    orderBy: { id: 'desc' },
    take: limit,
    select: { actor: true, action: true, subject: true, at: true },
  });
}
