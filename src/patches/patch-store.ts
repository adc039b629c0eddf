/**
 * Patch requests, decisions and dot-release plans in PostgreSQL.
 *
 * Everything that changes a train's requests or plan runs in one transaction
 * holding that train's lock (across replicas), re-checks what the person saw
 * (the request still pending, the commits not requested meanwhile), and
 * writes the audit trail in the same transaction. Status changes are
 * conditional updates, so a double click, a second replica or a late
 * decision changes nothing twice.
 */
import { recordAudit } from '../audit/audit-store';
import { lockForTransaction } from '../db/locks';
import { InvalidInputError } from '../errors';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import { formatBranch, formatTag } from '../train/versions';
import {
  describeCommitProblems,
  joinProblems,
  requestedAlready,
  rideAlongRefusal,
  type PatchRequestForm,
  type VerifiedRequest,
} from './request-input';

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** What was checked changed before the request could be stored; `field` is the modal's field to show it on. */
export class PatchConflictError extends InvalidInputError {
  constructor(
    readonly field: 'items' | 'reason',
    message: string,
  ) {
    super(message);
  }
}

export type PatchRequestStatus = 'pending' | 'approved' | 'declined' | 'withdrawn';
export type DecisionKind = 'approve' | 'decline' | 'question' | 'withdraw';

export const requestWithDetails = {
  commits: { orderBy: { position: 'asc' } },
  decisions: { orderBy: { id: 'asc' } },
  dotRelease: true,
} as const satisfies Prisma.PatchRequestInclude;

export type PatchRequestRecord = Prisma.PatchRequestGetPayload<{ include: typeof requestWithDetails }>;

/** Runs `work` in a transaction holding the lock of `train`'s patches. */
export async function withTrainLock<T>(prisma: PrismaClient, train: number, work: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(async (tx) => {
    await lockForTransaction(tx, { namespace: 'patchTrain', id: Math.trunc(train) });
    return work(tx);
  });
}

/** Runs `work` (which may call Slack) holding the lock of plan `id`'s announcement, so that it is posted once and updated in order. */
export async function withAnnouncementLock<T>(prisma: PrismaClient, id: number, work: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(
    async (tx) => {
      await lockForTransaction(tx, { namespace: 'patchAnnouncement', id: Math.trunc(id) });
      return work(tx);
    },
    { timeout: 30_000, maxWait: 30_000 },
  );
}

export async function loadPatchRequest(prisma: PrismaClient, id: number): Promise<PatchRequestRecord | null> {
  return prisma.patchRequest.findUnique({ where: { id }, include: requestWithDetails });
}

/**
 * Stores a verified request, once per modal (`viewId`). Returns the request
 * and whether this call created it. Throws PatchConflictError when, meanwhile,
 * the same commits were requested or the ride-along's plan went away.
 */
export async function createPatchRequest(options: {
  prisma: PrismaClient;
  verified: VerifiedRequest;
  form: PatchRequestForm;
  viewId: string;
  requestedBy: string;
  trainWhere: string;
  ownerAtRequest: string | null;
  now: Date;
}): Promise<{ request: PatchRequestRecord; created: boolean }> {
  const { verified, form, now } = options;
  // Relations are read after the transaction: Prisma reads several in parallel, which one transaction's connection cannot do.
  const outcome = await withTrainLock(options.prisma, verified.train, async (tx) => {
    const existing = await tx.patchRequest.findUnique({ where: { viewId: options.viewId } });
    if (existing) return { id: existing.id, created: false };
    const duplicates = await findRequestedAlready({ prisma: tx, train: verified.train, shas: verified.commits.map((c) => c.sha) });
    if (duplicates.length > 0) {
      throw new PatchConflictError('items', joinProblems(describeCommitProblems(requestedAlready(verified.train, duplicates))));
    }
    if (form.reason === 'ride-along' && !(await hasPlannedDotRelease(tx, verified.train)))
      throw new PatchConflictError('reason', rideAlongRefusal(verified.train));
    const created = await tx.patchRequest.create({
      data: {
        train: verified.train,
        requestedBy: options.requestedBy,
        reason: form.reason ?? 'other',
        justification: form.justification.trim(),
        bugUrl: form.bugUrl.trim() || null,
        impact: form.impact.trim() || null,
        verifiedOnMain: form.verifiedOnMain,
        rawItems: form.itemsText,
        status: 'pending',
        viewId: options.viewId,
        trainWhere: options.trainWhere,
        ownerAtRequest: options.ownerAtRequest,
        createdAt: now,
        updatedAt: now,
        commits: {
          create: verified.commits.map((commit, position) => ({
            train: verified.train,
            sha: commit.sha,
            title: commit.title,
            source: commit.source,
            pullRequest: commit.pullRequest,
            input: commit.input,
            mainOrder: commit.mainOrder,
            position,
          })),
        },
      },
    });
    await recordAudit(tx, {
      actor: options.requestedBy,
      action: 'patch.request',
      subject: `train:${verified.train}`,
      details: {
        request: created.id,
        reason: created.reason,
        justification: created.justification,
        bugUrl: created.bugUrl,
        impact: created.impact,
        verifiedOnMain: created.verifiedOnMain,
        commits: verified.commits.map((c) => c.sha),
        trainWhere: options.trainWhere,
        owner: options.ownerAtRequest,
      },
      at: now,
    });
    return { id: created.id, created: true };
  });
  return { request: await requireStored(options.prisma, outcome.id), created: outcome.created };
}

async function requireStored(prisma: PrismaClient, id: number): Promise<PatchRequestRecord> {
  const request = await loadPatchRequest(prisma, id);
  if (!request) throw new Error(`patch request ${id} is not in the database`);
  return request;
}

/** Why a request cannot be decided any more, in words. */
export function describeSettled(request: Pick<PatchRequestRecord, 'id' | 'status' | 'decidedBy' | 'requestedBy'>): string {
  const by = request.decidedBy ? ` by <@${request.decidedBy}>` : '';
  switch (request.status) {
    case 'approved':
      return `Patch request #${request.id} was already approved${by}; nothing changed.`;
    case 'declined':
      return `Patch request #${request.id} was already declined${by}; nothing changed.`;
    case 'withdrawn':
      return `Patch request #${request.id} was withdrawn by its requester; there is nothing to decide.`;
    default:
      return `Patch request #${request.id} is ${request.status}.`;
  }
}

/**
 * The next patch number of `train`: one more than the highest existing tag of
 * the train and than any plan already made for it.
 */
async function nextPlannedPatch(tx: Tx, train: number, nextFromTags: number): Promise<number> {
  const highest = await tx.dotRelease.aggregate({ where: { train }, _max: { patch: true } });
  return Math.max(nextFromTags, (highest._max.patch ?? -1) + 1);
}

/**
 * Approves a pending request: conditional on it still being pending. The
 * first approval of a train plans its dot release (`nextFromTags` is the
 * patch number the tags give); later ones join the open plan. Returns null
 * when the request was no longer pending (nothing changed).
 */
export async function approvePatchRequest(options: {
  prisma: PrismaClient;
  requestId: number;
  train: number;
  actor: string;
  now: Date;
  nextFromTags: number;
  settings: { tagFormat: string; branchFormat: string };
}): Promise<{ request: PatchRequestRecord; planId: number; planCreated: boolean } | null> {
  const { now, actor, train } = options;
  const outcome = await withTrainLock(options.prisma, train, async (tx) => {
    const updated = await tx.patchRequest.updateMany({
      where: { id: options.requestId, status: 'pending' },
      data: { status: 'approved', decidedAt: now, decidedBy: actor, updatedAt: now },
    });
    if (updated.count !== 1) return null;
    let plan = await tx.dotRelease.findUnique({ where: { openTrain: train } });
    let planCreated = false;
    if (!plan) {
      const patch = await nextPlannedPatch(tx, train, options.nextFromTags);
      plan = await tx.dotRelease.create({
        data: {
          train,
          patch,
          tag: formatTag(options.settings.tagFormat, train, patch),
          branch: formatBranch(options.settings.branchFormat, train),
          status: 'planned',
          openTrain: train,
          plannedBy: actor,
          createdAt: now,
          updatedAt: now,
        },
      });
      planCreated = true;
      await recordAudit(tx, {
        actor,
        action: 'patch.plan',
        subject: `train:${train}`,
        details: { tag: plan.tag, request: options.requestId },
        at: now,
      });
    } else {
      await tx.dotRelease.update({ where: { id: plan.id }, data: { version: { increment: 1 }, updatedAt: now } });
    }
    await tx.patchRequest.update({ where: { id: options.requestId }, data: { dotReleaseId: plan.id } });
    await tx.patchDecision.create({ data: { requestId: options.requestId, kind: 'approve', actor, at: now } });
    await recordAudit(tx, {
      actor,
      action: 'patch.approve',
      subject: `train:${train}`,
      details: { request: options.requestId, tag: plan.tag },
      at: now,
    });
    return { planId: plan.id, planCreated };
  });
  return outcome ? { ...outcome, request: await requireStored(options.prisma, options.requestId) } : null;
}

/** Declines or withdraws a pending request (conditional); null when it was no longer pending. */
export async function settlePatchRequest(options: {
  prisma: PrismaClient;
  requestId: number;
  train: number;
  kind: 'decline' | 'withdraw';
  actor: string;
  reason: string | null;
  now: Date;
}): Promise<PatchRequestRecord | null> {
  const { now, actor } = options;
  const status: PatchRequestStatus = options.kind === 'decline' ? 'declined' : 'withdrawn';
  const settled = await withTrainLock(options.prisma, options.train, async (tx) => {
    const updated = await tx.patchRequest.updateMany({
      where: { id: options.requestId, status: 'pending' },
      data: { status, decidedAt: now, decidedBy: actor, decisionReason: options.reason, updatedAt: now },
    });
    if (updated.count !== 1) return false;
    await tx.patchDecision.create({ data: { requestId: options.requestId, kind: options.kind, actor, text: options.reason, at: now } });
    await recordAudit(tx, {
      actor,
      action: `patch.${options.kind}`,
      subject: `train:${options.train}`,
      details: { request: options.requestId, reason: options.reason },
      at: now,
    });
    return true;
  });
  return settled ? requireStored(options.prisma, options.requestId) : null;
}

/** Records a question to the requester; the request stays pending. Null when it is no longer pending. */
export async function recordPatchQuestion(options: {
  prisma: PrismaClient;
  requestId: number;
  train: number;
  actor: string;
  question: string;
  now: Date;
}): Promise<PatchRequestRecord | null> {
  const { now, actor } = options;
  const asked = await withTrainLock(options.prisma, options.train, async (tx) => {
    const request = await tx.patchRequest.findUnique({ where: { id: options.requestId } });
    if (request?.status !== 'pending') return false;
    await tx.patchDecision.create({ data: { requestId: options.requestId, kind: 'question', actor, text: options.question, at: now } });
    await tx.patchRequest.update({ where: { id: options.requestId }, data: { updatedAt: now } });
    await recordAudit(tx, {
      actor,
      action: 'patch.question',
      subject: `train:${options.train}`,
      details: { request: options.requestId, question: options.question },
      at: now,
    });
    return true;
  });
  return asked ? requireStored(options.prisma, options.requestId) : null;
}

/** A dot release as its execution will need it: the tag, the branch, the commits in main order, who asked and who decided. */
export interface DotReleasePlan {
  id: number;
  train: number;
  patch: number;
  tag: string;
  branch: string;
  status: string;
  plannedBy: string;
  createdAt: Date;
  version: number;
  announcementChannel: string | null;
  announcementTs: string | null;
  /** A forward port: the plan of the lower train it carries commits of (it has no requests of its own). */
  forwardOf?: number | null;
  /** Every commit to cherry-pick, oldest on main first (the order to pick them in); frozen once the run starts. */
  commits: Array<{
    sha: string;
    title: string;
    pullRequest: number | null;
    mainOrder: number;
    requestId: number | null;
    requestedBy: string | null;
  }>;
  /** The approved requests, in the order they were approved. */
  requests: Array<{
    id: number;
    requestedBy: string;
    reason: string;
    justification: string;
    approvedBy: string | null;
    approvedAt: Date | null;
  }>;
}

export async function loadDotReleasePlan(prisma: PrismaClient | Tx, id: number): Promise<DotReleasePlan | null> {
  const plan = await prisma.dotRelease.findUnique({
    where: { id },
    include: { requests: { where: { status: 'approved' }, include: { commits: true }, orderBy: [{ decidedAt: 'asc' }, { id: 'asc' }] } },
  });
  if (!plan) return null;
  const frozen = frozenCommits(plan.runCommits);
  const fromRequests = plan.requests
    .flatMap((request) => request.commits.map((commit) => ({ ...commit, requestedBy: request.requestedBy })))
    .sort((a, b) => a.mainOrder - b.mainOrder || a.requestId - b.requestId || a.position - b.position)
    .filter((commit, index, all) => all.findIndex((other) => other.sha === commit.sha) === index)
    .map(({ sha, title, pullRequest, mainOrder, requestId, requestedBy }) => ({
      sha,
      title,
      pullRequest,
      mainOrder,
      requestId,
      requestedBy,
    }));
  const commits = frozen.length > 0 ? frozen : fromRequests;
  return {
    id: plan.id,
    train: plan.train,
    patch: plan.patch,
    tag: plan.tag,
    branch: plan.branch,
    status: plan.status,
    plannedBy: plan.plannedBy,
    createdAt: plan.createdAt,
    version: plan.version,
    announcementChannel: plan.announcementChannel,
    announcementTs: plan.announcementTs,
    forwardOf: plan.forwardOf,
    commits,
    requests: plan.requests.map((r) => ({
      id: r.id,
      requestedBy: r.requestedBy,
      reason: r.reason,
      justification: r.justification,
      approvedBy: r.decidedBy,
      approvedAt: r.decidedAt,
    })),
  };
}

/** The commits a run froze (`runCommits`), in pick order; empty while the plan is open. */
function frozenCommits(value: unknown): DotReleasePlan['commits'] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown, index) => {
    if (typeof item !== 'object' || item === null) return [];
    const c = item as Record<string, unknown>;
    if (typeof c.sha !== 'string') return [];
    return [
      {
        sha: c.sha,
        title: typeof c.title === 'string' ? c.title : '',
        pullRequest: typeof c.pullRequest === 'number' ? c.pullRequest : null,
        mainOrder: index,
        requestId: typeof c.requestId === 'number' ? c.requestId : null,
        requestedBy: typeof c.requestedBy === 'string' ? c.requestedBy : null,
      },
    ];
  });
}

// Reads for the patch commands, the request modal, its checks and the dashboard (they hold no Prisma call of their own).

/** Statuses of requests whose commits count as requested. */
export const LIVE_STATUSES = ['pending', 'approved'];

/** Which of `shas` a live request of `train` asks for already (the first such request of each), in the order of `shas`. */
export async function findRequestedAlready(options: {
  prisma: PrismaClient | Tx;
  train: number;
  shas: string[];
}): Promise<Array<{ sha: string; requestId: number; status: string }>> {
  if (options.shas.length === 0) return [];
  const existing = await options.prisma.patchRequestCommit.findMany({
    where: { train: options.train, sha: { in: options.shas }, request: { status: { in: LIVE_STATUSES } } },
    include: { request: { select: { id: true, status: true } } },
    orderBy: { id: 'asc' },
  });
  return options.shas.flatMap((sha) => {
    const row = existing.find((candidate) => candidate.sha === sha);
    return row ? [{ sha, requestId: row.request.id, status: row.request.status }] : [];
  });
}

/** Whether a dot release of `train` is planned (open). */
export async function hasPlannedDotRelease(prisma: PrismaClient | Tx, train: number): Promise<boolean> {
  return (await prisma.dotRelease.count({ where: { openTrain: train } })) > 0;
}

/** The request sent from modal `viewId`, if it was stored already. */
export async function findPatchRequestByView(options: {
  prisma: PrismaClient;
  viewId: string;
}): Promise<{ id: number; train: number; ownerAtRequest: string | null } | null> {
  return options.prisma.patchRequest.findUnique({
    where: { viewId: options.viewId },
    select: { id: true, train: true, ownerAtRequest: true },
  });
}

/** The open (planned, not yet released) dot releases: one per train at most. */
export async function listOpenDotReleases(options: {
  prisma: PrismaClient;
}): Promise<Array<{ id: number; train: number; patch: number; tag: string }>> {
  return options.prisma.dotRelease.findMany({
    where: { openTrain: { not: null } },
    select: { id: true, train: true, patch: true, tag: true },
  });
}

/** The requests of `train` (all of them), or the latest `latest` of every train; newest first, with commits and decisions. */
export async function listPatchRequests(options: { prisma: PrismaClient; train?: number; latest: number }): Promise<PatchRequestRecord[]> {
  const { train } = options;
  return options.prisma.patchRequest.findMany({
    where: train !== undefined ? { train } : {},
    include: requestWithDetails,
    orderBy: { id: 'desc' },
    ...(train !== undefined ? {} : { take: options.latest }),
  });
}

/** The dot releases of `train` (any status), or the open ones of every train, in train and patch order. */
export async function listDotReleasePlans(options: { prisma: PrismaClient; train?: number }): Promise<DotReleasePlan[]> {
  const { prisma, train } = options;
  const rows = await prisma.dotRelease.findMany({
    where: train !== undefined ? { train } : { openTrain: { not: null } },
    select: { id: true },
    orderBy: [{ train: 'asc' }, { patch: 'asc' }],
  });
  const plans: DotReleasePlan[] = [];
  for (const row of rows) {
    const plan = await loadDotReleasePlan(prisma, row.id);
    if (plan) plans.push(plan);
  }
  return plans;
}

/** What the dashboard (`/release status`, App Home) shows of patches: planned dot releases and requests awaiting a decision. */
export interface PatchOverview {
  /** `forwardOf`: the lower train's plan a forward port carries commits of (null: an ordinary plan). */
  planned: Array<{ train: number; patch: number; tag: string; requests: number; forwardOf?: number | null }>;
  /** Dot releases started and not closed: running, or stopped at a conflict or failure. */
  running?: Array<{ train: number; patch: number; tag: string; status: string }>;
  pending: Array<{ id: number; train: number; requestedBy: string; createdAt: Date }>;
}

export async function loadPatchOverview(prisma: PrismaClient): Promise<PatchOverview> {
  const [plans, pending, running] = await Promise.all([
    prisma.dotRelease.findMany({
      where: { openTrain: { not: null } },
      include: { _count: { select: { requests: { where: { status: 'approved' } } } } },
      orderBy: { train: 'asc' },
    }),
    prisma.patchRequest.findMany({ where: { status: 'pending' }, orderBy: { id: 'asc' } }),
    prisma.dotRelease.findMany({
      where: { openTrain: null, status: { notIn: ['planned', 'watched', 'abandoned'] } },
      orderBy: [{ train: 'asc' }, { patch: 'asc' }],
    }),
  ]);
  return {
    planned: plans.map((p) => ({ train: p.train, patch: p.patch, tag: p.tag, requests: p._count.requests, forwardOf: p.forwardOf })),
    running: running.map((r) => ({ train: r.train, patch: r.patch, tag: r.tag, status: r.status })),
    pending: pending.map((r) => ({ id: r.id, train: r.train, requestedBy: r.requestedBy, createdAt: r.createdAt })),
  };
}

/** The patch tables' part of the dashboard's change fingerprint (src/status/status-store.ts): each table and the columns whose latest value moves on every change. */
export const PATCH_FINGERPRINT = [
  { table: 'patch_requests', changedAt: ['updatedAt'] },
  { table: 'dot_releases', changedAt: ['updatedAt'] },
] as const;

/** Which posted copy of a request: the owner's DM, the team channel's post, the requester's DM. */
export type RequestCopy = 'owner' | 'team' | 'requester';

/** Remembers where a copy of a request went, to redraw it later. */
export async function recordRequestCopy(options: {
  prisma: PrismaClient;
  requestId: number;
  copy: RequestCopy;
  channel: string | null;
  ts: string | null;
}): Promise<void> {
  const { channel, ts } = options;
  const data =
    options.copy === 'owner'
      ? { ownerChannel: channel, ownerTs: ts }
      : options.copy === 'team'
        ? { teamChannel: channel, teamTs: ts }
        : { requesterChannel: channel, requesterTs: ts };
  await options.prisma.patchRequest.update({ where: { id: options.requestId }, data });
}

/** Every copy of a request is out: the sweep no longer delivers it. */
export async function markRequestDelivered(prisma: PrismaClient, requestId: number, now: Date): Promise<void> {
  await prisma.patchRequest.updateMany({ where: { id: requestId, deliveredAt: null }, data: { deliveredAt: now } });
}

/** The requester's outcome was dealt with (told, or nothing to tell): the sweep no longer looks at it. */
export async function markOutcomeSent(prisma: PrismaClient, requestId: number, now: Date): Promise<void> {
  await prisma.patchRequest.updateMany({ where: { id: requestId, outcomeSentAt: null }, data: { outcomeSentAt: now } });
}

/** A reminder of a pending request went out; true for the caller that recorded it first. */
export async function markRequestReminded(options: {
  prisma: PrismaClient;
  requestId: number;
  kind: 'owner' | 'admins';
  now: Date;
}): Promise<boolean> {
  const column = options.kind === 'owner' ? 'ownerRemindedAt' : 'adminsRemindedAt';
  const updated = await options.prisma.patchRequest.updateMany({
    where: { id: options.requestId, [column]: null },
    data: { [column]: options.now },
  });
  return updated.count === 1;
}

/** Requests created before `settled` whose copies are not all out. */
export async function listUndeliveredRequests(prisma: PrismaClient, settled: Date): Promise<number[]> {
  const rows = await prisma.patchRequest.findMany({ where: { deliveredAt: null, createdAt: { lte: settled } }, select: { id: true } });
  return rows.map((row) => row.id);
}

/** Requests decided before `settled` whose requester was not told yet. */
export async function listOutcomesNotSent(prisma: PrismaClient, settled: Date): Promise<number[]> {
  const rows = await prisma.patchRequest.findMany({
    where: { status: { in: ['approved', 'declined', 'withdrawn'] }, outcomeSentAt: null, decidedAt: { lte: settled } },
    select: { id: true },
  });
  return rows.map((row) => row.id);
}

/** Open plans, unchanged since `settled`, whose announcement does not show their latest version. */
export async function listPlansToAnnounce(prisma: PrismaClient, settled: Date): Promise<Array<{ id: number; tag: string }>> {
  const plans = await prisma.dotRelease.findMany({ where: { openTrain: { not: null }, updatedAt: { lte: settled } } });
  return plans.filter((plan) => plan.announcedVersion < plan.version).map((plan) => ({ id: plan.id, tag: plan.tag }));
}

/** Delivered requests still pending since before `createdBefore` whose owner (or admins) were not reminded yet, oldest first. */
export async function listRequestsToRemind(options: {
  prisma: PrismaClient;
  kind: 'owner' | 'admins';
  createdBefore: Date;
}): Promise<number[]> {
  const rows = await options.prisma.patchRequest.findMany({
    where: {
      status: 'pending',
      deliveredAt: { not: null },
      createdAt: { lte: options.createdBefore },
      [options.kind === 'owner' ? 'ownerRemindedAt' : 'adminsRemindedAt']: null,
    },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  return rows.map((row) => row.id);
}

/** Remembers where a plan was announced, and which version it shows (inside its announcement lock). */
export async function recordPlanAnnouncement(
  tx: Tx,
  options: { planId: number; version: number; channel?: string; ts?: string | null },
): Promise<void> {
  await tx.dotRelease.update({
    where: { id: options.planId },
    data: {
      ...(options.channel === undefined ? {} : { announcementChannel: options.channel }),
      ...(options.ts === undefined ? {} : { announcementTs: options.ts }),
      announcedVersion: options.version,
    },
  });
}
