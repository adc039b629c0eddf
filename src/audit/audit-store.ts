/**
 * The audit trail: every privileged action and decision, who made it, when.
 * Written in the same transaction as the change it describes.
 */
import type { Prisma } from '../generated/prisma/client';

type AuditWriter = { auditEvent: { create(args: { data: Prisma.AuditEventCreateInput }): Promise<unknown> } };

export async function recordAudit(
  db: AuditWriter,
  event: { actor: string; action: string; subject?: string; details?: Prisma.InputJsonValue; at: Date },
): Promise<void> {
  await db.auditEvent.create({
    data: { actor: event.actor, action: event.action, subject: event.subject ?? null, details: event.details ?? {}, at: event.at },
  });
}
