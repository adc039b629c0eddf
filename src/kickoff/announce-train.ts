/**
 * The kickoff of a train: tell the team channel who owns it, when the cutoff
 * is and who is next, and ask the owner to confirm. The owner is then fixed
 * (later roster changes no longer move it). Also: the owner's answer, and the
 * reminder to admins when no answer came.
 */
import type { AppDeps } from '../deps';
import { recordAudit } from '../audit/record-audit';
import { InvalidInputError, PermissionDeniedError } from '../errors';
import { loadRoster, planFromSnapshot, recordAnnouncement } from '../rotation/roster-store';
import type { Block } from '../slack/blocks';
import { mentionUser } from '../slack/mrkdwn';
import { renderAnswered, renderKickoff } from './kickoff-view';

/** Posts the kickoff of `train` unless it was announced already; returns the message's ts. */
export async function announceTrain(options: { deps: AppDeps; train: number; now: Date; note?: string }): Promise<string | null> {
  const { deps, train, now } = options;
  const { settings } = deps.config;
  const existing = await deps.db.prisma.trainAssignment.findUnique({ where: { train } });
  if (existing?.announcedAt) {
    deps.logger.info({ train }, 'kickoff: train already announced; not posting again');
    return existing.announcementTs;
  }
  const snapshot = await loadRoster(deps.db.prisma);
  const [entry, nextEntry] = planFromSnapshot(snapshot, deps.calendar, train, train + 1);
  const schedule = deps.calendar.getTrain(train);
  const owner = entry?.slackUserId
    ? { slackUserId: entry.slackUserId, emoji: snapshot.members.find((m) => m.slackUserId === entry.slackUserId)?.emoji ?? null }
    : null;
  const message = renderKickoff(
    {
      train: schedule,
      owner,
      next: nextEntry ? { train: nextEntry.train, slackUserId: nextEntry.slackUserId } : null,
      ...(options.note ? { note: options.note } : {}),
    },
    settings,
  );
  const posted = await deps.slack.chat.postMessage({ channel: settings.announcementChannel, ...message, unfurl_links: false });
  const ts = posted.ts ?? null;
  if (entry?.slackUserId && ts) {
    await recordAnnouncement({
      prisma: deps.db.prisma,
      now,
      entry: { ...entry, slackUserId: entry.slackUserId },
      channel: posted.channel ?? settings.announcementChannel,
      ts,
    });
  }
  await recordAudit(deps.db.prisma, {
    actor: 'system',
    action: 'kickoff.announce',
    subject: `train:${train}`,
    details: { owner: entry?.slackUserId ?? null, ts },
    at: now,
  });
  if (!entry?.slackUserId) await tellAdmins({ deps, now, text: `Train ${train} kicked off with no release owner assigned.`, threadTs: ts, channel: posted.channel });
  return ts;
}

/** Mentions the admins in the announcement's thread (or the channel). */
async function tellAdmins(options: { deps: AppDeps; now: Date; text: string; threadTs: string | null; channel: string | undefined }) {
  const { deps } = options;
  const { admins } = deps.config.settings;
  const who = [...admins.users.map(mentionUser), ...(admins.usergroup ? [`<!subteam^${admins.usergroup}>`] : [])];
  const addressed = who.length > 0 ? `${who.join(' ')}: ` : '';
  const hint = who.length > 0 ? '' : ' (No admins are configured: set `admins` in the settings file.)';
  await deps.slack.chat.postMessage({
    channel: options.channel ?? deps.config.settings.announcementChannel,
    ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
    text: `${addressed}${options.text}${hint}`,
  });
}

/** The confirmation deadline: if the owner has not answered, the admins are told (once, by the scheduler). */
export async function checkKickoffConfirmed(options: { deps: AppDeps; train: number; now: Date }): Promise<void> {
  const { deps, train } = options;
  const assignment = await deps.db.prisma.trainAssignment.findUnique({ where: { train } });
  if (!assignment?.announcedAt || assignment.confirmedAt) return;
  await tellAdmins({
    deps,
    now: options.now,
    text:
      `${mentionUser(assignment.slackUserId)} has not confirmed train ${train} yet. ` +
      `Please check with them, or give the train to someone else with \`/release rotation override ${train} @user\`.`,
    threadTs: assignment.announcementTs,
    channel: assignment.announcementChannel ?? undefined,
  });
  await recordAudit(deps.db.prisma, { actor: 'system', action: 'kickoff.unconfirmed', subject: `train:${train}`, at: options.now });
}

function parseTrainValue(value: string | undefined): number {
  const train = Number(value);
  if (!Number.isInteger(train) || train < 1) throw new InvalidInputError('That button does not name a train; ask for a new announcement.');
  return train;
}

/** A button press on a kickoff announcement. */
export interface KickoffAnswer {
  deps: AppDeps;
  /** The button's value: the train number. */
  trainValue: string | undefined;
  userId: string;
  now: Date;
  /** The announcement as it is now, to be updated. */
  original: { text: string; blocks: Block[] };
}

/** The train a kickoff button is about, and its announced assignment. */
async function findAnnouncedTrain(answer: KickoffAnswer) {
  const train = parseTrainValue(answer.trainValue);
  const assignment = await answer.deps.db.prisma.trainAssignment.findUnique({ where: { train } });
  if (!assignment?.announcedAt) throw new InvalidInputError(`Train ${train} has not been announced.`);
  return { train, assignment };
}

/** "I'm on it": the owner confirms. Returns the updated message. */
export async function confirmTrainOwnership(answer: KickoffAnswer): Promise<{ text: string; blocks: Block[] }> {
  const { deps, userId, now } = answer;
  const { train, assignment } = await findAnnouncedTrain(answer);
  if (assignment.slackUserId !== userId) {
    throw new PermissionDeniedError(`Only ${mentionUser(assignment.slackUserId)}, the owner of train ${train}, can confirm it.`);
  }
  // Conditional update: a double click confirms once.
  const updated = await deps.db.prisma.trainAssignment.updateMany({
    where: { train, slackUserId: userId, confirmedAt: null },
    data: { confirmedAt: now, confirmedBy: userId, updatedAt: now },
  });
  if (updated.count === 1) {
    await recordAudit(deps.db.prisma, { actor: userId, action: 'kickoff.confirm', subject: `train:${train}`, at: now });
  }
  return renderAnswered(answer.original, `:white_check_mark: ${mentionUser(userId)} confirmed train ${train}.`);
}

/**
 * "I can't, pick the next person": the owner (or an admin) declines. The owner
 * skips this train (and is owed the next one they can take), the train is
 * re-planned and announced again.
 */
export async function declineTrainOwnership(answer: KickoffAnswer): Promise<{ text: string; blocks: Block[] }> {
  const { deps, userId, now } = answer;
  const { train, assignment } = await findAnnouncedTrain(answer);
  const owner = assignment.slackUserId;
  if (owner !== userId && !(await deps.admins.isAdmin(userId, now))) {
    throw new PermissionDeniedError(`Only ${mentionUser(owner)}, the owner of train ${train}, or an admin can hand it on.`);
  }
  const cut = deps.calendar.getTrain(train).cutoff;
  if (now >= cut) throw new InvalidInputError(`Train ${train} has been cut already; it can't change hands now.`);
  // One decline wins: the announced assignment is released only if it is still this one.
  const released = await deps.db.prisma.$transaction(async (tx) => {
    const deleted = await tx.trainAssignment.deleteMany({
      where: { train, slackUserId: owner, announcementTs: assignment.announcementTs },
    });
    if (deleted.count !== 1) return false;
    // The owner skips this train (and is owed the next one), unless they have left the roster.
    if (await tx.rosterMember.findUnique({ where: { slackUserId: owner } })) {
      await tx.rosterSkip.create({ data: { slackUserId: owner, train, createdBy: userId, createdAt: now } });
    }
    await recordAudit(tx, { actor: userId, action: 'kickoff.decline', subject: `train:${train}`, details: { owner }, at: now });
    return true;
  });
  if (!released) return renderAnswered(answer.original, `Train ${train} was already handed on.`);
  const note = `${mentionUser(owner)} can't take it, so the rotation picked the next person.`;
  await announceTrain({ deps, train, now, note });
  return renderAnswered(answer.original, `:arrows_counterclockwise: ${mentionUser(owner)} can't take train ${train}; it was announced again below.`);
}
