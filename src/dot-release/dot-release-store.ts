/**
 * The run of a dot release in PostgreSQL: its state on its `dot_releases`
 * row (see states.ts). Every step is a conditional update on `runVersion`,
 * so two replicas (or a replay racing the run) never both record a step; the
 * run itself holds the plan's advisory lock (`dotReleaseRun`) besides.
 */
import { recordAudit } from '../audit/audit-store';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import { withTrainLock } from '../patches/patch-store';
import { formatBranch, formatTag } from '../train/versions';
import { ACTIVE_STATES, CLOSED_STATES, type RunState } from './states';

/** A commit the run picks, in main order. `requestId` null: carried by a forward port. */
export interface RunCommit {
  sha: string;
  title: string;
  requestId: number | null;
  requestedBy: string | null;
}

/** What git found for one commit before picking. */
export interface ClassifiedRecord {
  sha: string;
  status: 'to-pick' | 'already-on-train';
  matchedBy: string | null;
  trainCommit: string | null;
}

/** One clean pick: the commit of main and the commit it became on the train. */
export interface PickRecord {
  sha: string;
  commit: string;
  /** Finished by a person after a conflict. */
  byHand?: boolean;
}

export interface ConflictRecord {
  sha: string;
  title: string;
  files: string[];
}

export interface DotReleaseRun {
  id: number;
  train: number;
  patch: number;
  tag: string;
  branch: string;
  status: string;
  plannedBy: string;
  runBy: string | null;
  runStartedAt: Date | null;
  commits: RunCommit[];
  classified: ClassifiedRecord[] | null;
  trainHead: string | null;
  workBranch: string | null;
  picks: PickRecord[];
  head: string | null;
  conflict: ConflictRecord | null;
  tagSha: string | null;
  failedIn: string | null;
  lastError: string | null;
  redone: number;
  forwardOf: number | null;
  closedAt: Date | null;
  runVersion: number;
  announcementChannel: string | null;
  announcementTs: string | null;
}

type Row = Prisma.DotReleaseGetPayload<object>;

function array(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];
}
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const int = (value: unknown): number | null => (typeof value === 'number' && Number.isInteger(value) ? value : null);

function readRun(row: Row): DotReleaseRun {
  const conflict =
    typeof row.conflict === 'object' && row.conflict !== null && !Array.isArray(row.conflict)
      ? (row.conflict as Record<string, unknown>)
      : null;
  return {
    id: row.id,
    train: row.train,
    patch: row.patch,
    tag: row.tag,
    branch: row.branch,
    status: row.status,
    plannedBy: row.plannedBy,
    runBy: row.runBy,
    runStartedAt: row.runStartedAt,
    commits: array(row.runCommits).map((c) => ({
      sha: text(c.sha) ?? '',
      title: text(c.title) ?? '',
      requestId: int(c.requestId),
      requestedBy: text(c.requestedBy),
    })),
    classified:
      row.classified === null
        ? null
        : array(row.classified).map((c) => ({
            sha: text(c.sha) ?? '',
            status: c.status === 'already-on-train' ? 'already-on-train' : 'to-pick',
            matchedBy: text(c.matchedBy),
            trainCommit: text(c.trainCommit),
          })),
    trainHead: row.trainHead,
    workBranch: row.workBranch,
    picks: array(row.picks).map((p) => ({
      sha: text(p.sha) ?? '',
      commit: text(p.commit) ?? '',
      ...(p.byHand === true ? { byHand: true } : {}),
    })),
    head: row.head,
    conflict: conflict
      ? {
          sha: text(conflict.sha) ?? '',
          title: text(conflict.title) ?? '',
          files: Array.isArray(conflict.files) ? conflict.files.filter((f): f is string => typeof f === 'string') : [],
        }
      : null,
    tagSha: row.tagSha,
    failedIn: row.failedIn,
    lastError: row.lastError,
    redone: row.redone,
    forwardOf: row.forwardOf,
    closedAt: row.closedAt,
    runVersion: row.runVersion,
    announcementChannel: row.announcementChannel,
    announcementTs: row.announcementTs,
  };
}

/** The commits still to pick, in order: the classified `to-pick` ones after those picked. */
export function remainingPicks(run: Pick<DotReleaseRun, 'classified' | 'picks'>): string[] {
  const picked = new Set(run.picks.map((p) => p.sha));
  return (run.classified ?? []).filter((c) => c.status === 'to-pick' && !picked.has(c.sha)).map((c) => c.sha);
}

export async function loadRun(prisma: PrismaClient, id: number): Promise<DotReleaseRun | null> {
  const row = await prisma.dotRelease.findUnique({ where: { id } });
  return row ? readRun(row) : null;
}

/** The plan of dot release `train.patch`, if there is one. */
export async function findRunByNumber(prisma: PrismaClient, train: number, patch: number): Promise<DotReleaseRun | null> {
  const row = await prisma.dotRelease.findUnique({ where: { train_patch: { train, patch } } });
  return row ? readRun(row) : null;
}

/** The plans of `train` that are not closed (planned, running, waiting), lowest patch first. */
export async function listUnclosedRuns(prisma: PrismaClient, train?: number): Promise<DotReleaseRun[]> {
  const rows = await prisma.dotRelease.findMany({
    where: { status: { notIn: [...CLOSED_STATES] }, ...(train === undefined ? {} : { train }) },
    orderBy: [{ train: 'asc' }, { patch: 'asc' }],
  });
  return rows.map(readRun);
}

/** Runs in the middle of a step (a process died, or a replica is on it): the resume job looks at them. */
export async function listActiveRuns(prisma: PrismaClient): Promise<DotReleaseRun[]> {
  const rows = await prisma.dotRelease.findMany({ where: { status: { in: [...ACTIVE_STATES] } }, orderBy: { id: 'asc' } });
  return rows.map(readRun);
}

/**
 * Starts the run of a planned dot release: its commits frozen (`commits`, in main order), the plan no longer open
 * to approvals (the next approval plans the next patch). Conditional on it still being planned; null otherwise.
 */
export async function startRun(options: {
  prisma: PrismaClient;
  run: DotReleaseRun;
  actor: string;
  commits: RunCommit[];
  now: Date;
}): Promise<DotReleaseRun | null> {
  const { run, actor, now } = options;
  const started = await withTrainLock(options.prisma, run.train, async (tx) => {
    const updated = await tx.dotRelease.updateMany({
      where: { id: run.id, status: 'planned', runVersion: run.runVersion },
      data: {
        status: 'picking',
        openTrain: null,
        runBy: actor,
        runStartedAt: now,
        runCommits: options.commits as unknown as Prisma.InputJsonValue,
        workBranch: `dot/${run.branch}.${run.patch}`,
        runVersion: { increment: 1 },
        updatedAt: now,
      },
    });
    if (updated.count !== 1) return false;
    await recordAudit(tx, {
      actor,
      action: 'dot-release.run',
      subject: `train:${run.train}`,
      details: { tag: run.tag, commits: options.commits.map((c) => c.sha) },
      at: now,
    });
    return true;
  });
  return started ? loadRun(options.prisma, run.id) : null;
}

/** What a step changes on the run. */
export interface RunChanges {
  status?: RunState;
  classified?: ClassifiedRecord[] | null;
  trainHead?: string | null;
  picks?: PickRecord[];
  head?: string | null;
  conflict?: ConflictRecord | null;
  tagSha?: string | null;
  patch?: number;
  tag?: string;
  failedIn?: string | null;
  lastError?: string | null;
  redone?: number;
  closedAt?: Date;
  openTrain?: null;
}

/** A nullable JSON column's new value: SQL NULL, or the value. */
const json = (value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull =>
  value === null ? Prisma.DbNull : (value as Prisma.InputJsonValue);

/**
 * Records one step: conditional on `run.runVersion` (null when someone else recorded a step first), with an audit
 * entry when `audit` is given. Returns the run as recorded.
 */
export async function recordStep(options: {
  prisma: PrismaClient;
  run: DotReleaseRun;
  changes: RunChanges;
  now: Date;
  audit?: { actor: string; action: string; details: Record<string, unknown> };
}): Promise<DotReleaseRun | null> {
  const { run, changes, now } = options;
  const data: Prisma.DotReleaseUpdateManyMutationInput = {
    runVersion: { increment: 1 },
    updatedAt: now,
    ...(changes.status === undefined ? {} : { status: changes.status }),
    ...(changes.trainHead === undefined ? {} : { trainHead: changes.trainHead }),
    ...(changes.head === undefined ? {} : { head: changes.head }),
    ...(changes.tagSha === undefined ? {} : { tagSha: changes.tagSha }),
    ...(changes.patch === undefined ? {} : { patch: changes.patch }),
    ...(changes.tag === undefined ? {} : { tag: changes.tag }),
    ...(changes.failedIn === undefined ? {} : { failedIn: changes.failedIn }),
    ...(changes.lastError === undefined ? {} : { lastError: changes.lastError }),
    ...(changes.redone === undefined ? {} : { redone: changes.redone }),
    ...(changes.closedAt === undefined ? {} : { closedAt: changes.closedAt }),
    ...(changes.openTrain === undefined ? {} : { openTrain: null }),
    ...(changes.picks === undefined ? {} : { picks: changes.picks as unknown as Prisma.InputJsonValue }),
    ...(changes.classified === undefined ? {} : { classified: json(changes.classified) }),
    ...(changes.conflict === undefined ? {} : { conflict: json(changes.conflict) }),
  };
  const recorded = await options.prisma.$transaction(async (tx) => {
    const updated = await tx.dotRelease.updateMany({ where: { id: run.id, runVersion: run.runVersion }, data });
    if (updated.count !== 1) return false;
    if (options.audit) {
      await recordAudit(tx, {
        actor: options.audit.actor,
        action: options.audit.action,
        subject: `train:${run.train}`,
        details: { tag: changes.tag ?? run.tag, ...options.audit.details },
        at: now,
      });
    }
    return true;
  });
  return recorded ? loadRun(options.prisma, run.id) : null;
}

/**
 * Dot release `train.patch` is to be run `keep`'s (its tag was pushed under that number): a plan of the train that
 * holds the number and has not started is moved to the next free one (its announcement shows it on its next redraw).
 */
export async function makeRoomForNumber(options: {
  prisma: PrismaClient;
  train: number;
  patch: number;
  keep: number;
  tagFormat: string;
  now: Date;
}): Promise<void> {
  const { train, patch, now } = options;
  await withTrainLock(options.prisma, train, async (tx) => {
    const holder = await tx.dotRelease.findUnique({ where: { train_patch: { train, patch } } });
    if (!holder || holder.id === options.keep || holder.status !== 'planned') return;
    const highest = await tx.dotRelease.aggregate({ where: { train }, _max: { patch: true } });
    const next = (highest._max.patch ?? patch) + 1;
    const tag = formatTag(options.tagFormat, train, next);
    await tx.dotRelease.update({ where: { id: holder.id }, data: { patch: next, tag, version: { increment: 1 }, updatedAt: now } });
    await recordAudit(tx, {
      actor: 'system',
      action: 'dot-release.renumber',
      subject: `train:${train}`,
      details: { from: holder.tag, to: tag },
      at: now,
    });
  });
}

/** The plan whose tag is `tag` and that is not closed yet (a tag pushed by hand closes it). */
export async function findUnclosedRunByTag(prisma: PrismaClient, tag: string): Promise<DotReleaseRun | null> {
  const row = await prisma.dotRelease.findFirst({ where: { tag, status: { notIn: [...CLOSED_STATES] } } });
  return row ? readRun(row) : null;
}

/** Whether `train` has an open (planned, not started) dot release. */
export async function findOpenPlan(prisma: PrismaClient, train: number): Promise<DotReleaseRun | null> {
  const row = await prisma.dotRelease.findUnique({ where: { openTrain: train } });
  return row ? readRun(row) : null;
}

/**
 * Plans the forward port of `lower` onto `train` (a newer cut train missing some of its commits): a new plan with
 * those commits and no requests of its own, open on that train. Null when `train` has an open plan already, or the
 * port was planned before.
 */
export async function planForwardPort(options: {
  prisma: PrismaClient;
  lower: DotReleaseRun;
  train: number;
  patch: number;
  commits: RunCommit[];
  settings: { tagFormat: string; branchFormat: string };
  now: Date;
}): Promise<number | null> {
  const { train, now, lower } = options;
  return withTrainLock(options.prisma, train, async (tx) => {
    if (await tx.dotRelease.findFirst({ where: { OR: [{ openTrain: train }, { forwardOf: lower.id, train }] } })) return null;
    const highest = await tx.dotRelease.aggregate({ where: { train }, _max: { patch: true } });
    const patch = Math.max(options.patch, (highest._max.patch ?? -1) + 1);
    const plan = await tx.dotRelease.create({
      data: {
        train,
        patch,
        tag: formatTag(options.settings.tagFormat, train, patch),
        branch: formatBranch(options.settings.branchFormat, train),
        status: 'planned',
        openTrain: train,
        plannedBy: 'system',
        forwardOf: lower.id,
        runCommits: options.commits as unknown as Prisma.InputJsonValue,
        createdAt: now,
        updatedAt: now,
      },
    });
    await recordAudit(tx, {
      actor: 'system',
      action: 'dot-release.forward-port',
      subject: `train:${train}`,
      details: { tag: plan.tag, from: lower.tag, commits: options.commits.map((c) => c.sha) },
      at: now,
    });
    return plan.id;
  });
}

/** Dot-release runs by state, for /metrics (one grouped count). */
export async function countRunsByState(prisma: PrismaClient): Promise<Array<{ state: string; count: number }>> {
  const groups = await prisma.dotRelease.groupBy({ by: ['status'], _count: { _all: true } });
  return groups.map((group) => ({ state: group.status, count: group._count._all }));
}
