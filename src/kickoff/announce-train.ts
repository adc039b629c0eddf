/**
 * The kickoff of a train: tell the team channel who owns it, when the cutoff
 * is and who is next, and ask the owner to confirm. The owner is then fixed
 * (later roster changes no longer move it). Also: the owner's answer, and the
 * reminder to admins when no answer came.
 */
import { positiveIdOf } from '../commands/parse-values';
import type { AppDeps } from '../deps';
import { recordAudit } from '../audit/audit-store';
import { InvalidInputError, PermissionDeniedError } from '../errors';
import {
  confirmTrainOwner,
  findTrainAssignment,
  loadRoster,
  planFromSnapshot,
  recordAnnouncement,
  releaseAnnouncedTrain,
} from '../rotation/roster-store';
import type { Block } from '../slack/blocks';
import { nameOf } from '../slack/directory';
import { actorText, mentionUser } from '../slack/mrkdwn';
import { renderAnswered, renderKickoff } from './kickoff-view';

/**
 * The ledger key of a train's kickoff: one per train and planned owner (a
 * decline re-plans the train and announces it again, to someone else).
 */
function kickoffKey(train: number, ownerSlackId: string | null): string {
  return `kickoff:${train}:announcement:${ownerSlackId ?? 'nobody'}`;
}

/** Posts the kickoff of `train` unless it was announced already (at most once, see the messenger); returns the message's ts. */
export async function announceTrain(options: { deps: AppDeps; train: number; now: Date; note?: string }): Promise<string | null> {
  const { deps, train, now } = options;
  const { settings } = deps.config;
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
      next: nextEntry
        ? {
            train: nextEntry.train,
            slackUserId: nextEntry.slackUserId,
            name: nextEntry.slackUserId ? await nameOf(deps, nextEntry.slackUserId) : undefined,
          }
        : null,
      ...(options.note ? { note: options.note } : {}),
    },
    settings,
  );
  const outcome = await deps.messenger.postOnce({
    key: kickoffKey(train, owner?.slackUserId ?? null),
    about: { train, kind: 'kickoff' },
    to: { channel: settings.announcementChannel },
    message,
    now,
  });
  if (outcome.outcome === 'failed') throw new Error(`the kickoff of train ${train} could not be posted: ${outcome.error}`);
  if (outcome.outcome === 'already') {
    deps.logger.info({ train, status: outcome.record.status }, 'kickoff: train already announced; not posting again');
    // Whoever posted it died before fixing the owner: fix it now (the buttons work without the message's ts).
    if (entry?.slackUserId && !(await findTrainAssignment(deps.db.prisma, train))?.announcedAt) {
      await recordAnnouncement({
        prisma: deps.db.prisma,
        now,
        entry: { ...entry, slackUserId: entry.slackUserId },
        channel: outcome.record.channel ?? settings.announcementChannel,
        ts: outcome.record.ts,
      });
    }
    return outcome.record.ts;
  }
  const ts = outcome.ts || null;
  if (entry?.slackUserId && ts) {
    await recordAnnouncement({
      prisma: deps.db.prisma,
      now,
      entry: { ...entry, slackUserId: entry.slackUserId },
      channel: outcome.channel,
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
  if (!entry?.slackUserId) {
    const text = `Train ${train} kicked off with no release owner assigned.`;
    await tellAdmins({ deps, now, key: `kickoff:${train}:no-owner`, text, threadTs: ts, channel: outcome.channel });
  }
  return ts;
}

/** Mentions the admins in the announcement's thread (or the channel), once per `key`; true when posted now. */
async function tellAdmins(options: {
  deps: AppDeps;
  now: Date;
  key: string;
  text: string;
  threadTs: string | null;
  channel: string | undefined;
}): Promise<boolean> {
  const { deps } = options;
  const { admins } = deps.config.settings;
  const who = [...admins.users.map(mentionUser), ...(admins.usergroup ? [`<!subteam^${admins.usergroup}>`] : [])];
  const addressed = who.length > 0 ? `${who.join(' ')}: ` : '';
  const hint = who.length > 0 ? '' : ' (No admins are configured: set `admins` in the settings file.)';
  const outcome = await deps.messenger.postOnce({
    key: options.key,
    to: { channel: options.channel ?? deps.config.settings.announcementChannel },
    ...(options.threadTs ? { threadTs: options.threadTs } : {}),
    message: { text: `${addressed}${options.text}${hint}` },
    now: options.now,
  });
  if (outcome.outcome === 'failed') throw new Error(`could not tell the admins: ${outcome.error}`);
  return outcome.outcome === 'posted';
}

/** The confirmation deadline: if the owner has not answered, the admins are told (once). */
export async function checkKickoffConfirmed(options: { deps: AppDeps; train: number; now: Date }): Promise<void> {
  const { deps, train } = options;
  const assignment = await findTrainAssignment(deps.db.prisma, train);
  if (!assignment?.announcedAt || assignment.confirmedAt) return;
  // Announced again later (the first owner could not take it): this owner gets the full time too.
  if (options.now.getTime() < assignment.announcedAt.getTime() + deps.config.settings.kickoffConfirmHours * 3_600_000) return;
  const told = await tellAdmins({
    deps,
    now: options.now,
    // One reminder per announced owner.
    key: `kickoff:${train}:unconfirmed:${assignment.slackUserId}`,
    text:
      `${mentionUser(assignment.slackUserId)} has not confirmed train ${train} yet. ` +
      `Please check with them, or give the train to someone else with \`/release rotation override ${train} @user\`.`,
    threadTs: assignment.announcementTs,
    channel: assignment.announcementChannel ?? undefined,
  });
  if (told)
    await recordAudit(deps.db.prisma, { actor: 'system', action: 'kickoff.unconfirmed', subject: `train:${train}`, at: options.now });
}

function parseTrainValue(value: string | undefined): number {
  const train = positiveIdOf(value);
  if (train === null) throw new InvalidInputError('That button does not name a train; ask for a new announcement.');
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
  const assignment = await findTrainAssignment(answer.deps.db.prisma, train);
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
  // Their own click: named, not pinged (asked of Slack before the commit; Slack failing leaves a mention).
  const who = actorText({ actor: userId, actorName: await nameOf(deps, userId) });
  // Conditional update: a double click confirms once.
  if (await confirmTrainOwner({ prisma: deps.db.prisma, train, slackUserId: userId, now })) {
    await recordAudit(deps.db.prisma, { actor: userId, action: 'kickoff.confirm', subject: `train:${train}`, at: now });
  }
  return renderAnswered(answer.original, `:white_check_mark: ${who} confirmed train ${train}.`);
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
  // Named, not pinged: it was their own click (or an admin's for them); the new owner is the one asked to act. Asked of
  // Slack before the release commits: between it and the new announcement nothing may fail (Slack failing: a mention).
  const who = actorText({ actor: owner, actorName: await nameOf(deps, owner) });
  // One decline wins: the announced assignment is released only if it is still this one.
  const released = await releaseAnnouncedTrain({
    prisma: deps.db.prisma,
    train,
    owner,
    announcementTs: assignment.announcementTs,
    actor: userId,
    now,
  });
  if (!released) return renderAnswered(answer.original, `Train ${train} was already handed on.`);
  const note = `${who} can't take it, so the rotation picked the next person.`;
  await announceTrain({ deps, train, now, note });
  return renderAnswered(answer.original, `:arrows_counterclockwise: ${who} can't take train ${train}; it was announced again below.`);
}
