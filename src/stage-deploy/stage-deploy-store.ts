/** Temporary stage deploys (`stage_deploys`): pushed, built, and replaced by the next release tag. */
import { recordAudit } from '../audit/audit-store';
import type { PrismaClient } from '../generated/prisma/client';

export interface StageDeployRow {
  id: number;
  tag: string;
  train: number;
  commit: string;
  requestedBy: string;
  services: string[];
  status: string;
  buildUrl: string | null;
  latestReleaseTag: string | null;
  createdAt: Date;
  replacedAt: Date | null;
}

/** The part of the dashboard's fingerprint (src/status/status-store.ts) this store owns. */
export const STAGE_DEPLOY_FINGERPRINT = [{ table: 'stage_deploys', changedAt: ['id', 'replacedAt'] }] as const;

function toRow(row: Omit<StageDeployRow, 'services'> & { services: unknown }): StageDeployRow {
  return { ...row, services: Array.isArray(row.services) ? row.services.filter((s): s is string => typeof s === 'string') : [] };
}

export async function recordStageDeploy(
  prisma: PrismaClient,
  input: {
    tag: string;
    train: number;
    commit: string;
    requestedBy: string;
    services: string[];
    latestReleaseTag: string | null;
    picked: string[];
    now: Date;
  },
): Promise<StageDeployRow> {
  const row = await prisma.$transaction(async (tx) => {
    await recordAudit(tx, {
      actor: input.requestedBy,
      action: 'stage-deploy.push',
      subject: input.tag,
      details: { commits: input.picked },
      at: input.now,
    });
    return tx.stageDeploy.create({
      data: {
        tag: input.tag,
        train: input.train,
        commit: input.commit,
        requestedBy: input.requestedBy,
        services: input.services,
        status: 'building',
        latestReleaseTag: input.latestReleaseTag,
        createdAt: input.now,
      },
    });
  });
  return toRow(row);
}

/** Deploys not replaced yet, oldest first. */
export async function listActiveStageDeploys(prisma: PrismaClient): Promise<StageDeployRow[]> {
  return (await prisma.stageDeploy.findMany({ where: { replacedAt: null }, orderBy: { id: 'asc' } })).map(toRow);
}

export async function updateStageDeploy(
  prisma: PrismaClient,
  id: number,
  change: Partial<Pick<StageDeployRow, 'status' | 'buildUrl' | 'replacedAt'>>,
): Promise<void> {
  await prisma.stageDeploy.update({ where: { id }, data: change });
}
