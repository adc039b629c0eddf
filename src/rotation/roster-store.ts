/**
 * The roster in PostgreSQL: members in order, their skips, the trains whose
 * owner is fixed, and where the rotation started. Every change takes the
 * roster lock (one editor at a time, across replicas), checks its input, and
 * writes the audit trail in the same transaction.
 */
import { recordAudit } from '../audit/audit-store';
import { lockForTransaction } from '../db/locks';
import { InvalidInputError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import { claimIntentEffect } from '../slack/intent-ledger';
import type { TrainCalendar } from '../train/calendar';
import { planRotation, type AssignmentSource, type FixedAssignment, type PlannedTrain, type RotationSkip, type SkipReason } from './plan';

const START_TRAIN_KEY = 'rotation.startTrain';

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export interface RosterMember {
  slackUserId: string;
  displayName: string;
  githubLogin: string | null;
  timeZone: string | null;
  emoji: string | null;
  /** 0-based. */
  position: number;
  active: boolean;
}

export interface StoredSkip extends RotationSkip {
  id: number;
  reason: SkipReason;
}

/** A stored reason as the planner knows it: anything but 'handed-on' is time away (rows from before the column are). */
function skipReasonOf(stored: string): SkipReason {
  return stored === 'handed-on' ? 'handed-on' : 'away';
}

export interface RosterSnapshot {
  members: RosterMember[];
  skips: StoredSkip[];
  fixed: FixedAssignment[];
  /** The first train of the rotation; null until the first member joins. */
  startTrain: number | null;
}

/** Everything the planner needs, in one read. */
export async function loadRoster(prisma: PrismaClient | Tx): Promise<RosterSnapshot> {
  const [members, skips, assignments, start] = await Promise.all([
    prisma.rosterMember.findMany({ orderBy: { position: 'asc' } }),
    prisma.rosterSkip.findMany({ orderBy: { id: 'asc' } }),
    prisma.trainAssignment.findMany({ orderBy: { train: 'asc' } }),
    prisma.appState.findUnique({ where: { key: START_TRAIN_KEY } }),
  ]);
  return {
    members: members.map(({ slackUserId, displayName, githubLogin, timeZone, emoji, position, active }) => ({
      slackUserId,
      displayName,
      githubLogin,
      timeZone,
      emoji,
      position,
      active,
    })),
    skips: skips.map(({ id, slackUserId, train, fromDate, toDate, reason }) => ({
      id,
      slackUserId,
      train,
      fromDate,
      toDate,
      reason: skipReasonOf(reason),
    })),
    fixed: assignments.map((a) => ({
      train: a.train,
      slackUserId: a.slackUserId,
      source: a.source as AssignmentSource,
      rotationPick: a.rotationPick,
      deferred: a.deferred,
      announced: a.announcedAt !== null,
    })),
    startTrain: typeof start?.value === 'number' ? start.value : null,
  };
}

/** The owners of trains `fromTrain`..`toTrain` from a snapshot. */
export function planFromSnapshot(snapshot: RosterSnapshot, calendar: TrainCalendar, fromTrain: number, toTrain: number): PlannedTrain[] {
  return planRotation({
    members: snapshot.members,
    skips: snapshot.skips,
    fixed: snapshot.fixed,
    calendar,
    startTrain: snapshot.startTrain ?? fromTrain,
    fromTrain,
    toTrain,
  });
}

/** Reads the roster and plans `fromTrain`..`toTrain`. */
export async function planOwners(options: {
  prisma: PrismaClient;
  calendar: TrainCalendar;
  fromTrain: number;
  toTrain: number;
}): Promise<PlannedTrain[]> {
  const snapshot = await loadRoster(options.prisma);
  return planFromSnapshot(snapshot, options.calendar, options.fromTrain, options.toTrain);
}

/**
 * Made by a durable request (src/slack/intents.ts): its intent's key, marked in the change's transaction, so that a
 * replay after the commit changes nothing again; `replayed` gives what the first attempt returned, for the answer.
 */
interface Once<T> {
  intentKey?: string | undefined;
  now: Date;
  replayed: (tx: Tx) => Promise<T>;
}

/** Runs `change` alone (the roster lock) in one transaction; once per intent when `once` names one. */
async function editRoster<T>(prisma: PrismaClient, change: (tx: Tx) => Promise<T>, once?: Once<T>): Promise<T> {
  return prisma.$transaction(async (tx) => {
    await lockForTransaction(tx, { namespace: 'roster' });
    if (once?.intentKey !== undefined && !(await claimIntentEffect(tx, once.intentKey, once.now))) return once.replayed(tx);
    return change(tx);
  });
}

/** A roster edit's request key (its durable intent's), if any. */
export interface IntentKeyed {
  intentKey?: string | undefined;
}

const nothing = async (): Promise<void> => undefined;

function mention(slackUserId: string): string {
  return `<@${slackUserId}>`;
}

/** Puts positions back to 0..n-1 in the given order. */
async function renumber(tx: Tx, orderedIds: string[], now: Date): Promise<void> {
  for (const [index, slackUserId] of orderedIds.entries()) {
    await tx.rosterMember.update({ where: { slackUserId }, data: { position: index, updatedAt: now } });
  }
}

export interface NewMember {
  slackUserId: string;
  displayName: string;
  githubLogin: string | null;
  timeZone: string | null;
}

async function checkGithubLoginFree(tx: Tx, githubLogin: string | null, slackUserId: string): Promise<void> {
  if (!githubLogin) return;
  const owner = await tx.rosterMember.findFirst({ where: { githubLogin: { equals: githubLogin, mode: 'insensitive' } } });
  if (owner && owner.slackUserId !== slackUserId) {
    throw new InvalidInputError(`GitHub login \`${githubLogin}\` already belongs to ${mention(owner.slackUserId)} on the roster.`);
  }
}

async function ensureStartTrain(tx: Tx, startTrain: number, now: Date): Promise<void> {
  await tx.appState.upsert({
    where: { key: START_TRAIN_KEY },
    create: { key: START_TRAIN_KEY, value: startTrain, updatedAt: now },
    update: {},
  });
}

/** Adds a member at the end of the list. The first member starts the rotation at `startTrain`. */
export async function addRosterMember(
  options: {
    prisma: PrismaClient;
    actor: string;
    now: Date;
    member: NewMember;
    startTrain: number;
  } & IntentKeyed,
): Promise<RosterMember> {
  const { member, now } = options;
  return editRoster(
    options.prisma,
    async (tx) => {
      const existing = await tx.rosterMember.findUnique({ where: { slackUserId: member.slackUserId } });
      if (existing) {
        throw new InvalidInputError(`${mention(member.slackUserId)} is already on the roster, at position ${existing.position + 1}.`);
      }
      await checkGithubLoginFree(tx, member.githubLogin, member.slackUserId);
      const position = await tx.rosterMember.count();
      const created = await tx.rosterMember.create({ data: { ...member, position, active: true, createdAt: now, updatedAt: now } });
      await ensureStartTrain(tx, options.startTrain, now);
      await recordAudit(tx, {
        actor: options.actor,
        action: 'rotation.add',
        subject: `user:${member.slackUserId}`,
        details: { position: position + 1, githubLogin: member.githubLogin },
        at: now,
      });
      return { ...created };
    },
    {
      intentKey: options.intentKey,
      now,
      replayed: async (tx) => ({ ...(await tx.rosterMember.findUniqueOrThrow({ where: { slackUserId: member.slackUserId } })) }),
    },
  );
}

/** Sets up the roster in one go (first setup only: the roster must be empty). */
export async function importRoster(
  options: {
    prisma: PrismaClient;
    actor: string;
    now: Date;
    members: NewMember[];
    startTrain: number;
  } & IntentKeyed,
): Promise<number> {
  const { now } = options;
  const ids = options.members.map((m) => m.slackUserId);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate) throw new InvalidInputError(`${mention(duplicate)} appears twice in the list; nothing was imported.`);
  const logins = options.members.map((m) => m.githubLogin?.toLowerCase()).filter((l): l is string => Boolean(l));
  const duplicateLogin = logins.find((login, index) => logins.indexOf(login) !== index);
  if (duplicateLogin) throw new InvalidInputError(`GitHub login \`${duplicateLogin}\` appears twice; nothing was imported.`);
  return editRoster(
    options.prisma,
    async (tx) => {
      const count = await tx.rosterMember.count();
      if (count > 0) {
        throw new InvalidInputError(
          `The roster already has ${count} member${count === 1 ? '' : 's'}; \`import\` is for the first setup. Use \`/release rotation add\`.`,
        );
      }
      await tx.rosterMember.createMany({
        data: options.members.map((member, position) => ({ ...member, position, active: true, createdAt: now, updatedAt: now })),
      });
      await ensureStartTrain(tx, options.startTrain, now);
      await recordAudit(tx, { actor: options.actor, action: 'rotation.import', details: { members: ids }, at: now });
      return options.members.length;
    },
    { intentKey: options.intentKey, now, replayed: async () => options.members.length },
  );
}

async function requireMember(tx: Tx, slackUserId: string) {
  const member = await tx.rosterMember.findUnique({ where: { slackUserId } });
  if (!member) throw new InvalidInputError(`${mention(slackUserId)} is not on the roster.`);
  return member;
}

/** Removes a member; trains already announced for them stay theirs. */
export async function removeRosterMember(
  options: { prisma: PrismaClient; actor: string; now: Date; slackUserId: string } & IntentKeyed,
): Promise<void> {
  const { now } = options;
  await editRoster(
    options.prisma,
    async (tx) => {
      const member = await requireMember(tx, options.slackUserId);
      await tx.rosterMember.delete({ where: { slackUserId: member.slackUserId } });
      const rest = await tx.rosterMember.findMany({ orderBy: { position: 'asc' } });
      await renumber(
        tx,
        rest.map((m) => m.slackUserId),
        now,
      );
      // Overrides and swaps not yet announced that name them no longer hold.
      await tx.trainAssignment.deleteMany({ where: { slackUserId: member.slackUserId, announcedAt: null } });
      await recordAudit(tx, { actor: options.actor, action: 'rotation.remove', subject: `user:${member.slackUserId}`, at: now });
    },
    { intentKey: options.intentKey, now, replayed: nothing },
  );
}

/** Moves a member to `position` (1-based). */
export async function moveRosterMember(
  options: {
    prisma: PrismaClient;
    actor: string;
    now: Date;
    slackUserId: string;
    position: number;
  } & IntentKeyed,
): Promise<void> {
  const { now } = options;
  await editRoster(
    options.prisma,
    async (tx) => {
      const member = await requireMember(tx, options.slackUserId);
      const all = await tx.rosterMember.findMany({ orderBy: { position: 'asc' } });
      if (!Number.isInteger(options.position) || options.position < 1 || options.position > all.length) {
        throw new InvalidInputError(`Position ${options.position} is out of range: the roster has positions 1 to ${all.length}.`);
      }
      const order = all.map((m) => m.slackUserId).filter((id) => id !== member.slackUserId);
      order.splice(options.position - 1, 0, member.slackUserId);
      await renumber(tx, order, now);
      await recordAudit(tx, {
        actor: options.actor,
        action: 'rotation.move',
        subject: `user:${member.slackUserId}`,
        details: { from: member.position + 1, to: options.position },
        at: now,
      });
    },
    { intentKey: options.intentKey, now, replayed: nothing },
  );
}

/** Records that a member is away (reason 'away') for one train or a range of dates. The caller checks the dates are not past. */
export async function addRosterSkip(
  options: {
    prisma: PrismaClient;
    actor: string;
    now: Date;
    slackUserId: string;
    skip: { train: number } | { fromDate: string; toDate: string };
  } & IntentKeyed,
): Promise<void> {
  const { now } = options;
  await editRoster(
    options.prisma,
    async (tx) => {
      await requireMember(tx, options.slackUserId);
      await tx.rosterSkip.create({
        data: { slackUserId: options.slackUserId, ...options.skip, reason: 'away', createdBy: options.actor, createdAt: now },
      });
      await recordAudit(tx, {
        actor: options.actor,
        action: 'rotation.skip',
        subject: `user:${options.slackUserId}`,
        details: options.skip,
        at: now,
      });
    },
    { intentKey: options.intentKey, now, replayed: nothing },
  );
}

async function requireNotAnnounced(tx: Tx, train: number, what: string): Promise<void> {
  const assignment = await tx.trainAssignment.findUnique({ where: { train } });
  if (assignment?.announcedAt) {
    throw new InvalidInputError(
      `Train ${train} was already announced with ${mention(assignment.slackUserId)} as owner, so it cannot be ${what}. ` +
        `An admin can give it to someone else with \`/release rotation override ${train} @user\`.`,
    );
  }
}

/** Gives one train to `slackUserId`. */
export async function overrideTrainOwner(
  options: {
    prisma: PrismaClient;
    actor: string;
    now: Date;
    train: number;
    slackUserId: string;
  } & IntentKeyed,
): Promise<void> {
  const { now, train } = options;
  await editRoster(
    options.prisma,
    async (tx) => {
      await requireMember(tx, options.slackUserId);
      const previous = await tx.trainAssignment.findUnique({ where: { train } });
      await tx.trainAssignment.upsert({
        where: { train },
        create: { train, slackUserId: options.slackUserId, source: 'override', createdAt: now, updatedAt: now },
        update: {
          slackUserId: options.slackUserId,
          source: previous?.announcedAt ? 'reassigned' : 'override',
          confirmedAt: null,
          confirmedBy: null,
          updatedAt: now,
        },
      });
      await recordAudit(tx, {
        actor: options.actor,
        action: 'rotation.override',
        subject: `train:${train}`,
        details: { owner: options.slackUserId, previousOwner: previous?.slackUserId ?? null },
        at: now,
      });
    },
    { intentKey: options.intentKey, now, replayed: nothing },
  );
}

/** Exchanges the owners of two trains, neither announced yet. */
export async function swapTrains(
  options: {
    prisma: PrismaClient;
    calendar: TrainCalendar;
    actor: string;
    now: Date;
    trains: [number, number];
  } & IntentKeyed,
): Promise<{ owners: [string | null, string | null] }> {
  const { now } = options;
  const [a, b] = options.trains;
  if (a === b) throw new InvalidInputError('Swap needs two different trains.');
  return editRoster(
    options.prisma,
    async (tx) => {
      await requireNotAnnounced(tx, a, 'swapped');
      await requireNotAnnounced(tx, b, 'swapped');
      const snapshot = await loadRoster(tx);
      const plan = planFromSnapshot(snapshot, options.calendar, Math.min(a, b), Math.max(a, b));
      const ownerA = plan.find((p) => p.train === a)?.slackUserId ?? null;
      const ownerB = plan.find((p) => p.train === b)?.slackUserId ?? null;
      if (!ownerA || !ownerB)
        throw new InvalidInputError(
          `Train ${ownerA ? b : a} has no owner to swap (nobody on the roster can take it); use \`/release rotation override ${ownerA ? b : a} @user\` instead.`,
        );
      for (const [train, owner] of [
        [a, ownerB],
        [b, ownerA],
      ] as const) {
        await tx.trainAssignment.upsert({
          where: { train },
          create: { train, slackUserId: owner, source: 'swap', createdAt: now, updatedAt: now },
          update: { slackUserId: owner, source: 'swap', updatedAt: now },
        });
      }
      await recordAudit(tx, {
        actor: options.actor,
        action: 'rotation.swap',
        details: { trains: [a, b], owners: [ownerB, ownerA] },
        at: now,
      });
      return { owners: [ownerB, ownerA] };
    },
    { intentKey: options.intentKey, now, replayed: async (tx) => ({ owners: await ownersOf(tx, [a, b]) }) },
  );
}

/** The fixed owners of trains `a` and `b` (what a swap made them). */
async function ownersOf(tx: Tx, [a, b]: [number, number]): Promise<[string | null, string | null]> {
  const [first, second] = await Promise.all([a, b].map((train) => tx.trainAssignment.findUnique({ where: { train } })));
  return [first?.slackUserId ?? null, second?.slackUserId ?? null];
}

/** Sets a member's emoji. */
export async function setRosterEmoji(
  options: {
    prisma: PrismaClient;
    actor: string;
    now: Date;
    slackUserId: string;
    emoji: string;
  } & IntentKeyed,
): Promise<void> {
  const { now } = options;
  await editRoster(
    options.prisma,
    async (tx) => {
      await requireMember(tx, options.slackUserId);
      await tx.rosterMember.update({ where: { slackUserId: options.slackUserId }, data: { emoji: options.emoji, updatedAt: now } });
      await recordAudit(tx, {
        actor: options.actor,
        action: 'rotation.emoji',
        subject: `user:${options.slackUserId}`,
        details: { emoji: options.emoji },
        at: now,
      });
    },
    { intentKey: options.intentKey, now, replayed: nothing },
  );
}

/** Fixes a train's owner when it is announced: later roster changes no longer move it. */
export async function recordAnnouncement(options: {
  prisma: PrismaClient;
  now: Date;
  entry: PlannedTrain & { slackUserId: string };
  channel: string;
  /** Null when the announcement went out but its ts never came back (its poster died mid-post). */
  ts: string | null;
}): Promise<void> {
  const { entry, now } = options;
  const data = {
    slackUserId: entry.slackUserId,
    source: entry.source === 'unassigned' ? 'rotation' : entry.source,
    rotationPick: entry.rotationPick,
    deferred: entry.deferred,
    announcedAt: now,
    announcementChannel: options.channel,
    announcementTs: options.ts,
    updatedAt: now,
  };
  await options.prisma.trainAssignment.upsert({
    where: { train: entry.train },
    create: { train: entry.train, ...data, createdAt: now },
    update: data,
  });
}

// The dashboard's change fingerprint.

/** The roster's part of the dashboard's change fingerprint (src/status/status-store.ts): skips are added and removed, never edited. */
export const ROSTER_FINGERPRINT = [
  { table: 'roster_members', changedAt: ['updatedAt'] },
  { table: 'roster_skips', changedAt: ['id'] },
  { table: 'train_assignments', changedAt: ['updatedAt'] },
  { table: 'app_state', changedAt: ['updatedAt'] },
] as const;

/** The kickoff's record of a train: its fixed owner, where it was announced, and whether they confirmed. */
export async function findTrainAssignment(prisma: PrismaClient, train: number) {
  return prisma.trainAssignment.findUnique({ where: { train } });
}

/** The owner confirms an announced train; true the first time (a double click confirms once). */
export async function confirmTrainOwner(options: {
  prisma: PrismaClient;
  train: number;
  slackUserId: string;
  now: Date;
}): Promise<boolean> {
  const { train, slackUserId, now } = options;
  const updated = await options.prisma.trainAssignment.updateMany({
    where: { train, slackUserId, confirmedAt: null },
    data: { confirmedAt: now, confirmedBy: slackUserId, updatedAt: now },
  });
  return updated.count === 1;
}

/**
 * The announced owner of `train` hands it on: the assignment is released only
 * if it is still the announced one (one decline wins), and the owner skips
 * this train (and is owed the next one), unless they have left the roster:
 * a skip with reason 'handed-on', which `/release rotation show` lists apart
 * from time away.
 * False when it was handed on already.
 */
export async function releaseAnnouncedTrain(options: {
  prisma: PrismaClient;
  train: number;
  owner: string;
  announcementTs: string | null;
  actor: string;
  now: Date;
}): Promise<boolean> {
  const { train, owner, actor, now } = options;
  return options.prisma.$transaction(async (tx) => {
    const deleted = await tx.trainAssignment.deleteMany({ where: { train, slackUserId: owner, announcementTs: options.announcementTs } });
    if (deleted.count !== 1) return false;
    if (await tx.rosterMember.findUnique({ where: { slackUserId: owner } })) {
      await tx.rosterSkip.create({ data: { slackUserId: owner, train, reason: 'handed-on', createdBy: actor, createdAt: now } });
    }
    await recordAudit(tx, { actor, action: 'kickoff.decline', subject: `train:${train}`, details: { owner }, at: now });
    return true;
  });
}
